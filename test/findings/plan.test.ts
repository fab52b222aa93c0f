/** The import plan: new, unchanged (nothing), changed, refreshed, archived, re-opened; UpdatedAt strictly increasing. */
import { diagnose } from '../../lambdas/domain/diagnose';
import { planNodeFindings, nextUpdatedAt, type FindingRecord, type NodeAutomation, type PlannedImport } from '../../lambdas/domain/findings';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import type { CauseCode, Diagnosis } from '../../lambdas/domain/types';
import { healthyLinux, withPatchState } from '../diagnosis/builders';

const SCOPE = { account: '111122223333', region: 'eu-west-1' };
const T0 = new Date('2026-11-20T14:10:00.000Z');
const at = (days: number) => new Date(T0.getTime() + days * 86_400_000);

const pendingReboot = (count = 2): Diagnosis => diagnose(withPatchState(healthyLinux(), { InstalledPendingRebootCount: count }), DEFAULT_SETTINGS);
const healthy = (): Diagnosis => diagnose(healthyLinux(), DEFAULT_SETTINGS);
const notify: NodeAutomation = { decision: { action: 'NOTIFY', causes: [], dryRun: false, reason: 'r' }, outcome: { kind: 'NOTIFIED' } };
const rebooting = (commandId: string): NodeAutomation => ({
  decision: { action: 'REBOOT_NODE', causes: ['PENDING_REBOOT'], dryRun: false, reason: 'r' },
  outcome: { kind: 'COMMAND_SENT', commandId },
});

function records(planned: readonly PlannedImport[], previous: ReadonlyMap<CauseCode, FindingRecord> = new Map()): Map<CauseCode, FindingRecord> {
  const next = new Map(previous);
  for (const entry of planned) next.set(entry.cause, entry.record);
  return next;
}

it('a new cause is imported once; the same evidence and automation again imports nothing', () => {
  const first = planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(), automation: notify }, new Map(), SCOPE, T0);
  expect(first.map((entry) => [entry.cause, entry.reason])).toEqual([['PENDING_REBOOT', 'NEW']]);
  expect(first[0]?.finding.Types).toBeDefined();
  const again = planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(), automation: notify }, records(first), SCOPE, at(1));
  expect(again).toEqual([]);
});

it('changed evidence or a new command re-imports with the same Id and CreatedAt, a later UpdatedAt, FindingProviderFields only', () => {
  const first = planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(2), automation: notify }, new Map(), SCOPE, T0);
  const changed = planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(5), automation: notify }, records(first), SCOPE, at(1));
  expect(changed.map((entry) => entry.reason)).toEqual(['EVIDENCE_CHANGED']);
  expect(changed[0]?.finding).toMatchObject({ Id: first[0]?.finding.Id, CreatedAt: first[0]?.finding.CreatedAt, UpdatedAt: at(1).toISOString() });
  expect(changed[0]?.finding.Types).toBeUndefined();
  expect(changed[0]?.finding.Severity).toBeUndefined();

  const acted = planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(5), automation: rebooting('cmd-1') }, records(changed, records(first)), SCOPE, at(2));
  expect(acted.map((entry) => entry.reason)).toEqual(['AUTOMATION_CHANGED']);
  expect(acted[0]?.finding.ProductFields['ssm-compliance-autopilot/CommandId']).toBe('cmd-1');
});

it('an open finding untouched for 30 days is refreshed (Security Hub deletes it 90 days after its last update)', () => {
  const first = planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(), automation: notify }, new Map(), SCOPE, T0);
  expect(planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(), automation: notify }, records(first), SCOPE, at(29.9))).toEqual([]);
  const refreshed = planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(), automation: notify }, records(first), SCOPE, at(30));
  expect(refreshed.map((entry) => entry.reason)).toEqual(['REFRESH']);
});

it('a healed node archives its open findings once; a returning cause re-opens the same Id', () => {
  const first = planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(), automation: notify }, new Map(), SCOPE, T0);
  const healed = planNodeFindings({ kind: 'EVALUATED', diagnosis: healthy(), automation: notify }, records(first), SCOPE, at(1));
  expect(healed.map((entry) => [entry.reason, entry.finding.RecordState, entry.finding.Compliance.Status])).toEqual([['NODE_COMPLIANT', 'ARCHIVED', 'PASSED']]);
  const afterHeal = records(healed, records(first));
  expect(planNodeFindings({ kind: 'EVALUATED', diagnosis: healthy(), automation: notify }, afterHeal, SCOPE, at(2))).toEqual([]);

  const back = planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(), automation: notify }, afterHeal, SCOPE, at(3));
  expect(back.map((entry) => entry.reason)).toEqual(['REOPENED']);
  expect(back[0]?.finding).toMatchObject({ RecordState: 'ACTIVE', Compliance: { Status: 'FAILED' }, CreatedAt: first[0]?.finding.CreatedAt });
  expect(back[0]?.finding.FirstObservedAt).toBe(pendingReboot().capturedAt);
});

it('a cause that clears while another stays archives only that one', () => {
  const both = diagnose(withPatchState(healthyLinux(), { InstalledPendingRebootCount: 1, FailedCount: 1 }), DEFAULT_SETTINGS);
  expect(both.causes.map((cause) => cause.code).sort()).toEqual(['FAILED_PATCHES', 'PENDING_REBOOT']);
  const first = planNodeFindings({ kind: 'EVALUATED', diagnosis: both, automation: notify }, new Map(), SCOPE, T0);
  expect(first).toHaveLength(2);
  const one = planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(1), automation: notify }, records(first), SCOPE, at(1));
  expect(one.map((entry) => [entry.cause, entry.reason])).toEqual([['FAILED_PATCHES', 'CAUSE_CLEARED']]);
});

it.each([
  ['DEREGISTERED', 'NODE_DEREGISTERED', 'PASSED'],
  ['OPTED_OUT', 'NODE_OPTED_OUT', 'NOT_AVAILABLE'],
] as const)('%s node: open findings archived (%s, Compliance %s)', (kind, reason, status) => {
  const first = planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(), automation: notify }, new Map(), SCOPE, T0);
  const closed = planNodeFindings({ kind, instanceId: 'i-0123456789abcdef0', observedAt: at(1).toISOString() }, records(first), SCOPE, at(1));
  expect(closed.map((entry) => [entry.reason, entry.finding.RecordState, entry.finding.Compliance.Status])).toEqual([[reason, 'ARCHIVED', status]]);
  expect(planNodeFindings({ kind, instanceId: 'i-0123456789abcdef0', observedAt: at(2).toISOString() }, records(closed, records(first)), SCOPE, at(2))).toEqual([]);
});

it('UpdatedAt strictly increases even when the clock stands still or goes back', () => {
  expect(nextUpdatedAt(T0, T0.toISOString())).toBe('2026-11-20T14:10:00.001Z');
  expect(nextUpdatedAt(new Date(T0.getTime() - 5000), T0.toISOString())).toBe('2026-11-20T14:10:00.001Z');
  expect(nextUpdatedAt(at(1), T0.toISOString())).toBe(at(1).toISOString());
});

it('a record older than 80 days counts as gone: the next import is a first import again', () => {
  const first = planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(), automation: notify }, new Map(), SCOPE, T0);
  const healed = records(planNodeFindings({ kind: 'EVALUATED', diagnosis: healthy(), automation: notify }, records(first), SCOPE, at(1)), records(first));
  const late = planNodeFindings({ kind: 'EVALUATED', diagnosis: pendingReboot(), automation: notify }, healed, SCOPE, at(82));
  expect(late.map((entry) => entry.reason)).toEqual(['NEW']);
  expect(late[0]?.finding.Types).toBeDefined();
  expect(late[0]?.finding.CreatedAt).toBe(at(82).toISOString());
});
