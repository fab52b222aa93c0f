import { evaluateGuards, type GuardFacts } from '../../lambdas/domain/policy/guards';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import type { Decision } from '../../lambdas/domain/types';

const NOW = new Date('2026-11-20T10:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const REBOOT: Decision = { action: 'REBOOT_NODE', reason: 'r', dryRun: false, nodeMode: 'auto', causes: ['PENDING_REBOOT'] };
const INSTALL: Decision = { ...REBOOT, action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'] };

function facts(overrides: Partial<GuardFacts> = {}): GuardFacts {
  return {
    decision: REBOOT,
    ledger: { attempts: {}, firstSeenAt: minutesAgo(24 * 60) },
    inFlight: { remediations: 0, reboots: 0 },
    calendar: { state: 'OPEN' },
    node: {},
    now: NOW,
    settings: DEFAULT_SETTINGS,
    ...overrides,
  };
}

describe('guards', () => {
  it('proceeds when nothing stands in the way', () => {
    expect(evaluateGuards(facts())).toEqual({ kind: 'PROCEED' });
  });

  it('skips a node with a command in flight before anything else', () => {
    const verdict = evaluateGuards(facts({ ledger: { attempts: { PENDING_REBOOT: [minutesAgo(1), minutesAgo(2)] }, lock: { acquiredAt: minutesAgo(3), commandId: 'cmd-1', action: 'REBOOT_NODE' } }, calendar: { state: 'CLOSED' } }));
    expect(verdict).toMatchObject({ kind: 'SKIP' });
    expect(verdict.kind === 'SKIP' && verdict.reason).toContain('cmd-1');
  });

  it('escalates when the attempt cap per cause is reached in the window, ignoring older attempts', () => {
    expect(evaluateGuards(facts({ ledger: { attempts: { PENDING_REBOOT: [minutesAgo(60), minutesAgo(120)] } } }))).toMatchObject({ kind: 'EXHAUSTED', attempts: 2, causes: ['PENDING_REBOOT'] });
    expect(evaluateGuards(facts({ ledger: { attempts: { PENDING_REBOOT: [minutesAgo(60), minutesAgo(25 * 60)] } } }))).toEqual({ kind: 'PROCEED' });
  });

  it.each([
    ['cooldown', { ledger: { attempts: {}, lastCommandEndedAt: minutesAgo(10) } }, 'COOLDOWN'],
    ['calendar CLOSED', { calendar: { state: 'CLOSED' as const, closedBy: ['freeze'] } }, 'CALENDAR_CLOSED'],
    ['node registered 5 min ago', { node: { registrationDate: minutesAgo(5) } }, 'NODE_TOO_YOUNG'],
    ['node first seen 5 min ago, no older activity', { ledger: { attempts: {}, firstSeenAt: minutesAgo(5) } }, 'NODE_TOO_YOUNG'],
    ['first patch run 10 min ago, never seen before', { ledger: { attempts: {} }, node: { earliestActivityAt: minutesAgo(10) } }, 'NODE_TOO_YOUNG'],
    ['remediation cap', { inFlight: { remediations: 50, reboots: 0 } }, 'REMEDIATION_CAP'],
    ['reboot cap', { inFlight: { remediations: 10, reboots: 10 } }, 'REBOOT_CAP'],
  ] as const)('defers on %s', (_name, overrides, guard) => {
    expect(evaluateGuards(facts(overrides as Partial<GuardFacts>))).toMatchObject({ kind: 'DEFER', guard });
  });

  it('counts a node as old when any activity is older than the minimum age (EC2), or by RegistrationDate alone (hybrid)', () => {
    expect(evaluateGuards(facts({ ledger: { attempts: {}, firstSeenAt: minutesAgo(5) }, node: { earliestActivityAt: minutesAgo(3 * 24 * 60) } }))).toEqual({ kind: 'PROCEED' });
    expect(evaluateGuards(facts({ node: { registrationDate: minutesAgo(10), earliestActivityAt: minutesAgo(3 * 24 * 60) } }))).toMatchObject({ kind: 'DEFER', guard: 'NODE_TOO_YOUNG' });
    expect(evaluateGuards(facts({ ledger: { attempts: {} }, node: {} }))).toEqual({ kind: 'PROCEED' });
  });

  it('applies the node age and reboot cap only to commands that may reboot', () => {
    const noReboot = { ...DEFAULT_SETTINGS, installRebootOption: 'NoReboot' as const };
    expect(evaluateGuards(facts({ decision: INSTALL, settings: noReboot, node: { registrationDate: minutesAgo(5) }, inFlight: { remediations: 1, reboots: 10 } }))).toEqual({ kind: 'PROCEED' });
    // With RebootIfNeeded an install may reboot too.
    expect(evaluateGuards(facts({ decision: INSTALL, inFlight: { remediations: 1, reboots: 10 } }))).toMatchObject({ kind: 'DEFER', guard: 'REBOOT_CAP' });
  });

  it('lets NOTIFY and dry runs through, caps association re-runs by attempts only', () => {
    expect(evaluateGuards(facts({ decision: { ...REBOOT, action: 'NOTIFY' }, calendar: { state: 'CLOSED' } }))).toEqual({ kind: 'PROCEED' });
    expect(evaluateGuards(facts({ decision: { ...REBOOT, dryRun: true }, calendar: { state: 'CLOSED' } }))).toEqual({ kind: 'PROCEED' });
    const rerun: Decision = { ...REBOOT, action: 'RERUN_ASSOCIATION', causes: ['ASSOCIATION_FAILED'] };
    expect(evaluateGuards(facts({ decision: rerun, calendar: { state: 'CLOSED' } }))).toMatchObject({ kind: 'DEFER', guard: 'CALENDAR_CLOSED' });
    expect(evaluateGuards(facts({ decision: rerun, inFlight: { remediations: 0, reboots: 99 } }))).toEqual({ kind: 'PROCEED' });
    expect(evaluateGuards(facts({ decision: rerun, ledger: { attempts: { ASSOCIATION_FAILED: [minutesAgo(1), minutesAgo(2)] } } }))).toMatchObject({ kind: 'EXHAUSTED' });
  });
});
