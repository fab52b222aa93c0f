import { DynamoRemediationLedger } from '../../lambdas/adapters/dynamo-ledger';
import { DynamoFailureNotes } from '../../lambdas/adapters/ledger/failure-notes';
import type { LockRequest } from '../../lambdas/ports/ledger';
import { startLedgerTable, type LocalTable } from './dynalite';

let table: LocalTable;
let tableCount = 0;
const NOW = new Date('2026-11-20T10:00:00.000Z');

beforeAll(async () => {
  table = await startLedgerTable('ledger-0');
});
afterAll(async () => table.close());

/** A fresh table per test: same server, new name. */
async function freshLedger(): Promise<DynamoRemediationLedger> {
  tableCount += 1;
  await table.createTable(`ledger-${tableCount}`);
  return new DynamoRemediationLedger(table.documentClient, `ledger-${tableCount}`);
}

function request(instanceId: string, overrides: Partial<LockRequest> = {}): LockRequest {
  return {
    instanceId,
    action: 'INSTALL_PATCHES',
    causes: ['MISSING_PATCHES'],
    reboot: false,
    now: NOW,
    maxRemediationsInFlight: 50,
    maxRebootsInFlight: 10,
    ...overrides,
  };
}

describe('command locks', () => {
  it('gives the lock to exactly one of ten concurrent callers on one node (separate adapter instances)', async () => {
    const first = await freshLedger();
    const name = `ledger-${tableCount}`; // the table freshLedger just created
    const results = await Promise.all(
      Array.from({ length: 10 }, () => new DynamoRemediationLedger(table.documentClient, name).acquireLock(request('i-0123456789abcdef0'))),
    );
    expect(results.filter((result) => result.acquired)).toHaveLength(1);
    expect(results.filter((result) => !result.acquired && result.reason === 'IN_FLIGHT')).toHaveLength(9);
    const inFlight = await first.readInFlight();
    expect(inFlight.remediations).toBe(1);
  });

  it('holds the remediation cap and the reboot cap under concurrency', async () => {
    const ledger = await freshLedger();
    const nodes = Array.from({ length: 12 }, (_, index) => `i-0000000000000${String(index).padStart(4, '0')}`);
    const results = await Promise.all(
      nodes.map((id) => ledger.acquireLock(request(id, { action: 'REBOOT_NODE', reboot: true, maxRemediationsInFlight: 5, maxRebootsInFlight: 3 }))),
    );
    expect(results.filter((result) => result.acquired)).toHaveLength(3);
    expect(results.filter((result) => !result.acquired && result.reason === 'REBOOT_CAP')).toHaveLength(9);
    // Installs that cannot reboot still fit under the remediation cap (5), not more.
    const installs = await Promise.all(
      ['i-00000000000000aa', 'i-00000000000000bb', 'i-00000000000000cc'].map((id) =>
        ledger.acquireLock(request(id, { maxRemediationsInFlight: 5, maxRebootsInFlight: 3 })),
      ),
    );
    expect(installs.filter((result) => result.acquired)).toHaveLength(2);
    expect(installs.find((result) => !result.acquired)).toMatchObject({ reason: 'REMEDIATION_CAP' });
    expect(await ledger.readInFlight()).toMatchObject({ remediations: 5, reboots: 3 });
  });

  it('releases only its own lock, by token or by command ID, and starts the cooldown when the command ended', async () => {
    const ledger = await freshLedger();
    const acquired = await ledger.acquireLock(request('i-0123456789abcdef0', { action: 'REBOOT_NODE', reboot: true }));
    if (!acquired.acquired) throw new Error('lock expected');
    await ledger.attachCommand(acquired.lock, 'cmd-1');
    expect(await ledger.releaseByCommand('i-0123456789abcdef0', 'cmd-other', NOW)).toBeNull();
    const nodes = await ledger.readNodes(['i-0123456789abcdef0']);
    expect(nodes.get('i-0123456789abcdef0')?.lock).toMatchObject({ commandId: 'cmd-1', action: 'REBOOT_NODE', reboot: true });

    const released = await ledger.releaseByCommand('i-0123456789abcdef0', 'cmd-1', new Date('2026-11-20T10:30:00.000Z'));
    expect(released).toMatchObject({ commandId: 'cmd-1' });
    expect(await ledger.readInFlight()).toMatchObject({ remediations: 0, reboots: 0 });
    const after = (await ledger.readNodes(['i-0123456789abcdef0'])).get('i-0123456789abcdef0');
    expect(after?.lock).toBeUndefined();
    expect(after?.lastCommandEndedAt).toBe('2026-11-20T10:30:00.000Z');
    // A second release of the same lock is a no-op.
    expect(await ledger.releaseLock(acquired.lock, { commandEnded: false, at: NOW })).toBe(false);
  });
});

describe('alerts, attempts, open causes, evaluation', () => {
  it('lets one of several concurrent callers send an alert, again only after repeatHours or a new fingerprint', async () => {
    const ledger = await freshLedger();
    const claims = await Promise.all(Array.from({ length: 5 }, () => ledger.claimAlert('i-0123456789abcdef0', 'MISSING_PATCHES', 'fp-1', NOW, 24)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await ledger.claimAlert('i-0123456789abcdef0', 'MISSING_PATCHES', 'fp-1', new Date('2026-11-21T09:00:00.000Z'), 24)).toBe(false);
    expect(await ledger.claimAlert('i-0123456789abcdef0', 'MISSING_PATCHES', 'fp-2', new Date('2026-11-21T09:00:00.000Z'), 24)).toBe(true);
    expect(await ledger.claimAlert('i-0123456789abcdef0', 'MISSING_PATCHES', 'fp-2', new Date('2026-11-22T09:00:01.000Z'), 24)).toBe(true);
  });

  it('keeps attempts inside the window only', async () => {
    const ledger = await freshLedger();
    await ledger.recordAttempts('i-0123456789abcdef0', ['MISSING_PATCHES'], new Date('2026-11-18T10:00:00.000Z'), 24);
    await ledger.recordAttempts('i-0123456789abcdef0', ['MISSING_PATCHES', 'PENDING_REBOOT'], NOW, 24);
    const record = (await ledger.readNodes(['i-0123456789abcdef0'])).get('i-0123456789abcdef0');
    expect(record?.attempts).toEqual({ MISSING_PATCHES: [NOW.toISOString()], PENDING_REBOOT: [NOW.toISOString()] });
  });

  it('hands the open causes to exactly one caller when the node is resolved', async () => {
    const ledger = await freshLedger();
    await ledger.markOpenCauses('i-0123456789abcdef0', ['MISSING_PATCHES', 'PENDING_REBOOT']);
    const takes = await Promise.all(Array.from({ length: 4 }, () => ledger.takeOpenCauses('i-0123456789abcdef0')));
    expect(takes.filter((causes) => causes.length > 0)).toEqual([['MISSING_PATCHES', 'PENDING_REBOOT']]);
  });

  it('records firstSeenAt once, the summary fingerprint and a deferral that keeps its start while the guard repeats', async () => {
    const ledger = await freshLedger();
    await ledger.recordEvaluation({ instanceId: 'i-0123456789abcdef0', at: NOW, summaryFingerprint: 'a', deferral: { guard: 'CALENDAR_CLOSED', reason: 'closed' } });
    const later = new Date('2026-11-20T11:00:00.000Z');
    await ledger.recordEvaluation({ instanceId: 'i-0123456789abcdef0', at: later, summaryFingerprint: 'b', deferral: { guard: 'CALENDAR_CLOSED', reason: 'still closed' } });
    let record = (await ledger.readNodes(['i-0123456789abcdef0'])).get('i-0123456789abcdef0');
    expect(record).toMatchObject({ firstSeenAt: NOW.toISOString(), lastEvaluatedAt: later.toISOString(), summaryFingerprint: 'b' });
    expect(record?.deferral).toEqual({ guard: 'CALENDAR_CLOSED', reason: 'still closed', since: NOW.toISOString() });
    await ledger.recordEvaluation({ instanceId: 'i-0123456789abcdef0', at: later, deferral: null });
    record = (await ledger.readNodes(['i-0123456789abcdef0'])).get('i-0123456789abcdef0');
    expect(record?.deferral).toBeUndefined();
  });

  it('records a summary check on a known node only, leaving the evaluation as it was', async () => {
    const ledger = await freshLedger();
    const checkedAt = new Date('2026-11-20T16:00:00.000Z');
    await ledger.recordCheck('i-0aaaaaaaaaaaaaaa0', checkedAt);
    const unknown = (await ledger.readNodes(['i-0aaaaaaaaaaaaaaa0'])).get('i-0aaaaaaaaaaaaaaa0');
    expect(unknown?.lastCheckedAt).toBeUndefined();
    expect(unknown?.lastEvaluatedAt).toBeUndefined();
    await ledger.recordEvaluation({ instanceId: 'i-0aaaaaaaaaaaaaaa0', at: NOW, summaryFingerprint: 'a' });
    await ledger.recordCheck('i-0aaaaaaaaaaaaaaa0', checkedAt);
    expect((await ledger.readNodes(['i-0aaaaaaaaaaaaaaa0'])).get('i-0aaaaaaaaaaaaaaa0')).toMatchObject({
      lastEvaluatedAt: NOW.toISOString(),
      lastCheckedAt: checkedAt.toISOString(),
      summaryFingerprint: 'a',
    });
  });

  it('keeps the command history marks: clear moves forward, a failure removes it and counts as seen, a failed end moves forward on any node', async () => {
    const ledger = await freshLedger();
    const id = 'i-0bbbbbbbbbbbbbbb0';
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    const read = async () => (await ledger.readNodes([id])).get(id);
    await ledger.notePatchCommandFailed(id, at(0));
    // Never evaluated: the mark is written all the same (its OperationEndTime must not rule the failure out).
    expect(await read()).toEqual({ instanceId: id, attempts: {}, alerts: {}, openCauses: [], patchCommandFailedSeenAt: at(0).toISOString() });
    await ledger.recordEvaluation({ instanceId: id, at: at(1), commandHistoryClear: true });
    expect((await read())?.commandHistoryClearAt).toBe(at(1).toISOString());
    await ledger.recordEvaluation({ instanceId: id, at: at(2) });
    expect((await read())?.commandHistoryClearAt).toBe(at(1).toISOString());
    await ledger.notePatchCommandFailed(id, at(5));
    await ledger.notePatchCommandFailed(id, at(3));
    expect((await read())?.patchCommandFailedSeenAt).toBe(at(5).toISOString());
    await ledger.recordEvaluation({ instanceId: id, at: at(6), commandHistoryClear: false });
    expect((await read())?.commandHistoryClearAt).toBeUndefined();
    expect((await read())?.patchCommandFailedSeenAt).toBe(at(6).toISOString());
  });

  it('records since when failures are noted once: the earliest stays, a fresh reader finds it', async () => {
    await freshLedger();
    const notesTable = { client: table.documentClient, tableName: `ledger-${tableCount}` };
    const first = new DynamoFailureNotes(notesTable);
    expect(await first.since()).toBeUndefined();
    await first.start(NOW);
    expect(await first.since()).toBe(NOW.toISOString());
    const second = new DynamoFailureNotes(notesTable);
    await second.start(new Date(NOW.getTime() + 60_000));
    expect(await second.since()).toBe(NOW.toISOString());
    expect(await new DynamoFailureNotes(notesTable).since()).toBe(NOW.toISOString());
  });
});
