import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { automationState } from '../../lambdas/domain/report/automation';
import { ALL_NODE_HEADER, SINGLE_NODE_HEADER } from '../../lambdas/domain/report/columns';
import { buildFleetReport } from '../../lambdas/domain/report/fleet-report';
import { allNodeRow, buildNodeEntry, singleNodeRows } from '../../lambdas/domain/report/rows';
import { CONTEXT, exampleSnapshot, exampleSnapshots } from './fixtures';

const GOLDEN = join(__dirname, 'golden', 'all-nodes.csv');

function report() {
  return buildFleetReport({ snapshots: exampleSnapshots(), ledger: new Map(), previousTracking: null, history: [], unknown: [], failed: [], context: CONTEXT });
}

/** Splits our own CSV back (no embedded newlines in these rows). */
function cells(csv: string): Array<Record<string, string>> {
  const parse = (line: string) => line.match(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)!.slice(0, -1).map((cell) => cell.replace(/,$/, '').replace(/^"(.*)"$/, '$1').replace(/""/g, '"'));
  const [head, ...lines] = csv.split('\r\n').filter(Boolean);
  const names = parse(head!);
  return lines.map((line) => Object.fromEntries(parse(line).map((value, index) => [names[index]!, value])));
}

describe('all-node report from examples/', () => {
  it('matches the golden CSV byte for byte (regenerate: npm run -s report -- --snapshots examples --out DIR, then copy all-nodes.csv after review)', () => {
    expect(report().allNodesCsv).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('one row per node with the expected cause and action, every row as wide as the header', () => {
    const rows = cells(report().allNodesCsv);
    expect(rows).toHaveLength(14);
    const byName = new Map(rows.map((row) => [row['Instance name'], row]));
    expect(byName.get('api-prod-3')).toMatchObject({
      'Compliance status': 'NON_COMPLIANT',
      'Compliance severity': 'CRITICAL',
      'Noncompliant Critical severity patch count': '1',
      'Noncompliant High severity patch count': '2',
      Causes: 'MISSING_PATCHES',
      Action: 'INSTALL_PATCHES',
      Scope: 'auto',
    });
    expect(byName.get('sql-reporting-1')).toMatchObject({ Causes: 'PENDING_REBOOT', Action: 'REBOOT_NODE', 'Platform version': '10.0.20348' });
    expect(byName.get('new-build-agent-3')).toMatchObject({ 'Compliance status': 'UNREPORTED', Causes: 'PATCH_SCAN_MISSING', 'Patch baseline': '' });
    expect(byName.get('web-prod-1')).toMatchObject({ 'Compliance status': 'COMPLIANT', Causes: '', Action: 'NONE', 'Non-compliant since': '' });
    for (const row of rows) expect(Object.keys(row)).toEqual([...ALL_NODE_HEADER]);
  });
});

describe('rows', () => {
  it('causes are listed most severe first', () => {
    const snapshot = exampleSnapshot('missing-patches.json');
    // Same node, also unreachable (a HIGH cause listed first by the registry) and missing CRITICAL patches.
    const unreachable = { ...snapshot, instanceInformation: { ...snapshot.instanceInformation!, PingStatus: 'ConnectionLost', LastPingDateTime: '2026-11-19T08:00:00.000Z' } };
    const entry = buildNodeEntry({ snapshot: unreachable }, CONTEXT);
    // The registry lists reachability first; the report lists the CRITICAL cause first.
    expect(entry.diagnosis.causes.map((cause) => `${cause.code}:${cause.severity}`)).toEqual(['NODE_UNREACHABLE:HIGH', 'MISSING_PATCHES:CRITICAL']);
    expect(entry.causes).toEqual(['MISSING_PATCHES', 'NODE_UNREACHABLE']);
    expect(allNodeRow(entry, 1, CONTEXT)[17]).toBe(entry.causes.join(';'));
  });

  it('instance name: the Name tag, else the host name labelled as such', () => {
    const snapshot = exampleSnapshot('pending-reboot.json');
    expect(buildNodeEntry({ snapshot }, CONTEXT).name).toBe('sql-reporting-1');
    expect(buildNodeEntry({ snapshot: { ...snapshot, tags: {} } }, CONTEXT).name).toBe('EC2AMAZ-R2D4P8Q (hostname)');
  });

  it('a malicious node name is guarded in the CSV', () => {
    const snapshot = { ...exampleSnapshot('missing-patches.json'), tags: { Name: '=cmd|"/c calc"!A1', ComplianceAutopilot: 'auto' } };
    const { allNodesCsv } = buildFleetReport({ snapshots: [snapshot], ledger: new Map(), previousTracking: null, history: [], unknown: [], failed: [], context: CONTEXT });
    expect(allNodesCsv.split('\r\n')[1]).toContain(`,"'=cmd|""/c calc""!A1",`);
  });

  it('single-node rows: one per patch, both State spellings normalised, the cause each patch is evidence for', () => {
    const entry = buildNodeEntry({ snapshot: exampleSnapshot('pending-reboot.json') }, CONTEXT);
    const rows = singleNodeRows(entry, CONTEXT);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toHaveLength(SINGLE_NODE_HEADER.length);
      expect(row[5]).toBe('InstalledPendingReboot');
      expect(row[17]).toBe('PENDING_REBOOT');
    }
    expect(rows[0]!.slice(0, 5)).toEqual([1, 'i-0e3b07d5b6f83a4d9', 'sql-reporting-1', expect.stringContaining('KB5068787'), 'KB5068787']);
    expect(rows[0]![10]).toBe('CVE-2026-20805,CVE-2026-20822');
  });

  it('Logs URL: the Run Command page of the newest patch command on the node', () => {
    const entry = buildNodeEntry({ snapshot: exampleSnapshot('failed-patches.json') }, CONTEXT);
    const rows = singleNodeRows(entry, CONTEXT);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]![12]).toBe('https://eu-west-1.console.aws.amazon.com/systems-manager/run-command/5d0a7e3c-91b4-4f26-b8e1-7c2d3f4a5b6c?region=eu-west-1');
  });

  it('last command: ours in flight wins over the listed runs', () => {
    const snapshot = exampleSnapshot('failed-patches.json');
    const ledger = { attempts: {}, lock: { action: 'INSTALL_PATCHES', acquiredAt: '2026-11-20T14:00:00.000Z', commandId: 'cmd-ours' } };
    const row = allNodeRow(buildNodeEntry({ snapshot, ledger }, CONTEXT), 1, CONTEXT);
    expect(row.slice(19, 22)).toEqual(['in flight', 'cmd-ours', 'InProgress']);
  });
});

describe('automation state', () => {
  const policy = { maxAttemptsPerCause: 2, attemptWindowHours: 24 };
  const now = new Date('2026-11-20T14:00:00.000Z');

  it.each([
    ['no ledger record', undefined, 'none', 0],
    ['nothing recorded', { attempts: {} }, 'none', 0],
    ['lock held', { attempts: { MISSING_PATCHES: ['2026-11-20T13:00:00.000Z'] }, lock: { action: 'INSTALL_PATCHES', acquiredAt: '2026-11-20T13:00:00.000Z' } }, 'in flight', 1],
    ['attempts used up', { attempts: { MISSING_PATCHES: ['2026-11-20T01:00:00.000Z', '2026-11-20T09:00:00.000Z'] } }, 'exhausted', 2],
    ['attempts outside the window do not count', { attempts: { MISSING_PATCHES: ['2026-11-18T01:00:00.000Z', '2026-11-20T09:00:00.000Z'] } }, 'none', 1],
    ['deferred with its guard', { attempts: {}, deferral: { guard: 'CALENDAR_CLOSED', reason: 'calendar', since: '2026-11-20T10:00:00.000Z' } }, 'deferred (CALENDAR_CLOSED)', 0],
    ['attempts of a cause the node no longer has', { attempts: { PENDING_REBOOT: ['2026-11-20T01:00:00.000Z', '2026-11-20T09:00:00.000Z'] } }, 'none', 0],
  ] as const)('%s -> %s', (_name, facts, label, attempts) => {
    const state = automationState(facts as never, ['MISSING_PATCHES'], policy, now);
    expect(state.label).toBe(label);
    expect(state.attempts).toBe(attempts);
  });
});
