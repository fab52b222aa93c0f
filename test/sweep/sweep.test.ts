import { DynamoRemediationLedger } from '../../lambdas/adapters/dynamo-ledger';
import { DynamoSweepScanner } from '../../lambdas/adapters/dynamo-sweep-scanner';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import type { CommandFinder, CommandInvocationFound } from '../../lambdas/ports/acting';
import type { NodeEvaluator } from '../../lambdas/ports/sweep';
import { admitCapWaiting, LedgerSweep, sweepReasonOf, type SweepLimits } from '../../lambdas/usecases/sweep';
import { RecordingSink } from '../alerts/recording-sink';
import { startLedgerTable, type LocalTable } from '../ledger/dynalite';
import { DynamoFailureNotes } from '../../lambdas/adapters/ledger/failure-notes';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const nodeId = (index: number) => `i-${index.toString(16).padStart(17, '0')}`;

let server: LocalTable;
let tables = 0;
beforeAll(async () => {
  server = await startLedgerTable('sweep-0');
});
afterAll(async () => server.close());

/** SSM's view of commands, as ListCommandInvocations would list them. */
class FakeFinder implements CommandFinder {
  readonly invocations: CommandInvocationFound[] = [];
  async findByToken(instanceId: string, token: string): Promise<CommandInvocationFound | null> {
    return this.invocations.find((entry) => entry.instanceId === instanceId && entry.comment.startsWith(token)) ?? null;
  }
  async invocation(commandId: string, instanceId: string): Promise<CommandInvocationFound | null> {
    return this.invocations.find((entry) => entry.instanceId === instanceId && entry.commandId === commandId) ?? null;
  }
}

async function freshTable() {
  tables += 1;
  const name = `sweep-${tables}`;
  await server.createTable(name);
  const ledger = new DynamoRemediationLedger(server.documentClient, name);
  const finder = new FakeFinder();
  // What the follow-up does with an ended command, minus the alert: release the lock, start the cooldown.
  const settled: string[] = [];
  const settler = { settle: async (end: { instanceId: string; commandId: string; status: string; endedAt: Date }) => (settled.push(`${end.instanceId}:${end.status}`), ledger.releaseByCommand(end.instanceId, end.commandId, end.endedAt)) };
  return { ledger, scanner: new DynamoSweepScanner(server.documentClient, name), finder, settler, settled };
}

class RecordingEvaluator implements NodeEvaluator {
  readonly calls: string[][] = [];
  failOn?: string;
  readonly sources: string[] = [];
  async evaluateNodes(instanceIds: string[], context: { source: string }): Promise<void> {
    this.calls.push([...instanceIds]);
    this.sources.push(context.source);
    if (this.failOn && instanceIds.includes(this.failOn)) throw new Error('SSM throttled');
  }
  get evaluated(): string[] {
    return this.calls.flat();
  }
}

function sweepOf(parts: Awaited<ReturnType<typeof freshTable>>, evaluator: NodeEvaluator, limits: Partial<SweepLimits> = {}) {
  const sink = new RecordingSink();
  const sweep = new LedgerSweep({ ...parts, evaluator, settings: DEFAULT_SETTINGS, clock: { now: () => NOW }, sink, limits });
  return { sweep, sink };
}

test('a stale lock whose command ended (per SSM) is settled and its node re-evaluated; a fresh lock is left alone', async () => {
  const parts = await freshTable();
  const lockRequest = { action: 'REBOOT_NODE' as const, causes: ['PENDING_REBOOT' as const], reboot: true, maxRemediationsInFlight: 50, maxRebootsInFlight: 10 };
  const stale = await parts.ledger.acquireLock({ ...lockRequest, instanceId: nodeId(1), now: minutesAgo(DEFAULT_SETTINGS.lockTimeoutMinutes + 5) });
  const fresh = await parts.ledger.acquireLock({ ...lockRequest, instanceId: nodeId(2), now: minutesAgo(20) });
  if (!stale.acquired || !fresh.acquired) throw new Error('locks not acquired');
  await parts.ledger.attachCommand(stale.lock, 'cmd-lost-follow-up');
  await parts.ledger.attachCommand(fresh.lock, 'cmd-running');
  parts.finder.invocations.push({ commandId: 'cmd-lost-follow-up', instanceId: nodeId(1), status: 'Success', comment: 'x' });

  const evaluator = new RecordingEvaluator();
  const { sweep, sink } = sweepOf(parts, evaluator);
  const report = await sweep.run();

  expect(report.staleLocksReleased).toBe(1);
  expect(evaluator.evaluated).toEqual([nodeId(1)]);
  const inFlight = await parts.ledger.readInFlight();
  expect(inFlight.locks.map((lock) => lock.instanceId)).toEqual([nodeId(2)]);
  expect(inFlight.reboots).toBe(1);
  const records = await parts.ledger.readNodes([nodeId(1)]);
  expect(records.get(nodeId(1))?.lastCommandEndedAt).toBe(NOW.toISOString());
  expect(sink.countOf('StaleLocksReleased')).toBe(1);
  expect(sink.logs.some((log) => log.level === 'warn' && log.fields?.['commandId'] === 'cmd-lost-follow-up')).toBe(true);
  expect(parts.settled).toEqual([`${nodeId(1)}:Success`]);
});

test('a stale lock whose command is still running per SSM is kept (never presumed successful)', async () => {
  const parts = await freshTable();
  const lock = await parts.ledger.acquireLock({ instanceId: nodeId(3), action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], reboot: false, now: minutesAgo(DEFAULT_SETTINGS.lockTimeoutMinutes + 5), maxRemediationsInFlight: 50, maxRebootsInFlight: 10 });
  if (!lock.acquired) throw new Error('lock not acquired');
  await parts.ledger.attachCommand(lock.lock, 'cmd-long');
  parts.finder.invocations.push({ commandId: 'cmd-long', instanceId: nodeId(3), status: 'InProgress', comment: 'x' });
  const { sweep, sink } = sweepOf(parts, new RecordingEvaluator());
  expect((await sweep.run()).staleLocksReleased).toBe(0);
  expect((await parts.ledger.readInFlight()).locks.map((entry) => entry.commandId)).toEqual(['cmd-long']);
  expect(sink.countOf('StaleLocksStillRunning')).toBe(1);
});

test('deferred nodes and nodes not evaluated since their command ended are re-evaluated; settled and healthy ones are not', async () => {
  const parts = await freshTable();
  const { ledger } = parts;
  // Deferred by a CLOSED calendar.
  await ledger.recordEvaluation({ instanceId: nodeId(10), at: minutesAgo(60), deferral: { guard: 'CALENDAR_CLOSED', reason: 'calendar freeze CLOSED' } });
  // Command ended 40 min ago, last evaluation before it ended: its compliance events may be lost.
  await ledger.recordEvaluation({ instanceId: nodeId(11), at: minutesAgo(90) });
  await markEnded(ledger, nodeId(11), minutesAgo(40));
  // Command ended 40 min ago and evaluated 20 min ago: already handled by the event path.
  await ledger.recordEvaluation({ instanceId: nodeId(12), at: minutesAgo(90) });
  await markEnded(ledger, nodeId(12), minutesAgo(40));
  await ledger.recordEvaluation({ instanceId: nodeId(12), at: minutesAgo(20) });
  // Command ended 3 min ago: compliance data still arriving.
  await ledger.recordEvaluation({ instanceId: nodeId(13), at: minutesAgo(90) });
  await markEnded(ledger, nodeId(13), minutesAgo(3));
  // Healthy node, nothing pending.
  await ledger.recordEvaluation({ instanceId: nodeId(14), at: minutesAgo(5) });

  const evaluator = new RecordingEvaluator();
  const report = await sweepOf(parts, evaluator).sweep.run();
  expect(evaluator.evaluated.sort()).toEqual([nodeId(10), nodeId(11)]);
  expect(report.candidates).toEqual({ STALE_LOCK: 0, DEFERRED: 1, NOT_EVALUATED_AFTER_COMMAND: 1, REVERIFY: 0 });
  expect(report.passComplete).toBe(true);
});

test('work per run is bounded and the scan cursor carries over until every node was seen', async () => {
  const parts = await freshTable();
  const ids = Array.from({ length: 30 }, (_, index) => nodeId(100 + index));
  for (const id of ids) await parts.ledger.recordEvaluation({ instanceId: id, at: minutesAgo(30), deferral: { guard: 'REBOOT_CAP', reason: 'reboot cap reached' } });

  const evaluator = new RecordingEvaluator();
  const first = await sweepOf(parts, evaluator, { pageSize: 8, maxPages: 2 }).sweep.run();
  expect(first.pagesRead).toBe(2);
  expect(first.passComplete).toBe(false);
  expect(evaluator.evaluated.length).toBeGreaterThan(0);
  expect(evaluator.evaluated.length).toBeLessThanOrEqual(16);

  for (let run = 0; run < 5; run += 1) await sweepOf(parts, evaluator, { pageSize: 8, maxPages: 2 }).sweep.run();
  expect(new Set(evaluator.evaluated)).toEqual(new Set(ids));
});

test('one failing chunk is counted and does not stop the others', async () => {
  const parts = await freshTable();
  const ids = Array.from({ length: 60 }, (_, index) => nodeId(200 + index));
  for (const id of ids) await parts.ledger.recordEvaluation({ instanceId: id, at: minutesAgo(30), deferral: { guard: 'CALENDAR_CLOSED', reason: 'closed' } });
  const evaluator = new RecordingEvaluator();
  const { sweep, sink } = sweepOf(parts, evaluator);
  // Fail the chunk that holds whichever node the scan returns first.
  const firstPage = await parts.scanner.scanPage({ pageSize: 1000, checkedBefore: minutesAgo(6 * 60).toISOString() });
  evaluator.failOn = firstPage.nodes[0]?.instanceId;
  const report = await sweep.run();
  expect(evaluator.calls.map((call) => call.length)).toEqual([50, 10]);
  expect(report.evaluated).toBe(10);
  expect(report.evaluationFailures).toBe(50);
  expect(sink.countOf('SweepEvaluationFailures')).toBe(50);
});

test('no new work starts when the Lambda is about to time out', async () => {
  const parts = await freshTable();
  await parts.ledger.recordEvaluation({ instanceId: nodeId(300), at: minutesAgo(30), deferral: { guard: 'CALENDAR_CLOSED', reason: 'closed' } });
  const evaluator = new RecordingEvaluator();
  const report = await sweepOf(parts, evaluator).sweep.run(() => 5_000);
  expect(evaluator.calls).toHaveLength(0);
  expect(report.pagesRead).toBe(0);
});

describe('sweepReasonOf', () => {
  const settings = { attemptWindowHours: 24, reverifyHours: 6 };
  test.each([
    ['read 7 h ago, nothing pending', { lastEvaluatedAt: minutesAgo(7 * 60).toISOString() }, 'REVERIFY'],
    ['evaluated 7 h ago, summary checked 1 h ago', { lastEvaluatedAt: minutesAgo(7 * 60).toISOString(), lastCheckedAt: minutesAgo(60).toISOString() }, null],
    ['read 5 h ago', { lastEvaluatedAt: minutesAgo(5 * 60).toISOString() }, null],
    ['deferred', { deferral: { guard: 'CALENDAR_CLOSED' as const, reason: 'x', since: minutesAgo(5).toISOString() } }, 'DEFERRED'],
    ['ended 30 min ago, never evaluated', { lastCommandEndedAt: minutesAgo(30).toISOString() }, 'NOT_EVALUATED_AFTER_COMMAND'],
    ['ended 30 min ago, evaluated 25 min ago (inside settle time)', { lastCommandEndedAt: minutesAgo(30).toISOString(), lastEvaluatedAt: minutesAgo(25).toISOString() }, 'NOT_EVALUATED_AFTER_COMMAND'],
    ['ended 30 min ago, evaluated 15 min ago', { lastCommandEndedAt: minutesAgo(30).toISOString(), lastEvaluatedAt: minutesAgo(15).toISOString() }, null],
    ['ended 5 min ago', { lastCommandEndedAt: minutesAgo(5).toISOString() }, null],
    ['ended 2 days ago', { lastCommandEndedAt: minutesAgo(48 * 60).toISOString() }, null],
    ['nothing pending', {}, null],
  ])('%s', (_name, state, expected) => {
    expect(sweepReasonOf({ instanceId: 'i-1', openCauses: [], ...state }, NOW, settings)).toBe(expected);
  });
});

test('re-reads nodes not read for reverifyHours in chunks of 50, with the unchanged shortcut, after the urgent ones', async () => {
  const parts = await freshTable();
  const stale = Array.from({ length: 70 }, (_, index) => nodeId(600 + index));
  for (const id of stale) await parts.ledger.recordEvaluation({ instanceId: id, at: minutesAgo(7 * 60) });
  // Read recently: a summary check 10 minutes ago counts as a read.
  await parts.ledger.recordEvaluation({ instanceId: nodeId(700), at: minutesAgo(7 * 60) });
  await parts.ledger.recordCheck(nodeId(700), minutesAgo(10));
  await parts.ledger.recordEvaluation({ instanceId: nodeId(701), at: minutesAgo(60) });
  await parts.ledger.recordEvaluation({ instanceId: nodeId(702), at: minutesAgo(30), deferral: { guard: 'NODE_TOO_YOUNG', reason: 'booted 3 min ago' } });
  const evaluator = new RecordingEvaluator();
  const report = await sweepOf(parts, evaluator).sweep.run();
  expect(report.candidates.REVERIFY).toBe(70);
  expect(evaluator.calls.map((call) => call.length)).toEqual([1, 50, 20]);
  expect(evaluator.calls[0]).toEqual([nodeId(702)]);
  expect(evaluator.sources).toEqual(['sweep', 'reverify', 'reverify']);
  expect(new Set(evaluator.calls.slice(1).flat())).toEqual(new Set(stale));
});

/** The follow-up's way of ending a command: lock, attach, release by command ID. */
async function markEnded(ledger: DynamoRemediationLedger, instanceId: string, at: Date): Promise<void> {
  const result = await ledger.acquireLock({ instanceId, action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], reboot: false, now: at, maxRemediationsInFlight: 50, maxRebootsInFlight: 10 });
  if (!result.acquired) throw new Error('lock not acquired');
  await ledger.attachCommand(result.lock, `cmd-${instanceId}`);
  await ledger.releaseByCommand(instanceId, `cmd-${instanceId}`, at);
}

describe('deferrals whose reason still holds are not re-read', () => {
  async function deferredFleet() {
    const parts = await freshTable();
    await parts.ledger.recordEvaluation({ instanceId: nodeId(400), at: minutesAgo(30), deferral: { guard: 'CALENDAR_CLOSED', reason: 'freeze CLOSED' } });
    await parts.ledger.recordEvaluation({ instanceId: nodeId(401), at: minutesAgo(30), deferral: { guard: 'REBOOT_CAP', reason: 'reboot cap reached' } });
    await parts.ledger.recordEvaluation({ instanceId: nodeId(402), at: minutesAgo(30), deferral: { guard: 'NODE_TOO_YOUNG', reason: 'booted 3 min ago' } });
    return parts;
  }
  const settings = { ...DEFAULT_SETTINGS, changeCalendarNames: ['patch-freeze'], maxRebootsInFlight: 1 };

  test('calendar still CLOSED and reboot cap still full: only the young node is re-evaluated', async () => {
    const parts = await deferredFleet();
    const busy = await parts.ledger.acquireLock({ instanceId: nodeId(499), action: 'REBOOT_NODE', causes: ['PENDING_REBOOT'], reboot: true, now: minutesAgo(5), maxRemediationsInFlight: 50, maxRebootsInFlight: 1 });
    if (!busy.acquired) throw new Error('lock not acquired');
    await parts.ledger.attachCommand(busy.lock, 'cmd-busy');
    const evaluator = new RecordingEvaluator();
    const calendarCalls: string[][] = [];
    const sweep = new LedgerSweep({
      ...parts,
      evaluator,
      settings,
      calendar: { state: async (names) => (calendarCalls.push([...names]), { state: 'CLOSED', closedBy: [...names] }) },
      clock: { now: () => NOW },
      sink: new RecordingSink(),
    });
    const report = await sweep.run();
    expect(evaluator.evaluated).toEqual([nodeId(402)]);
    expect(report.stillBlocked).toBe(2);
    expect(calendarCalls).toEqual([['patch-freeze']]);
  });

  test('calendar OPEN and a free reboot slot: all deferred nodes are re-evaluated', async () => {
    const parts = await deferredFleet();
    const evaluator = new RecordingEvaluator();
    const sweep = new LedgerSweep({ ...parts, evaluator, settings, calendar: { state: async () => ({ state: 'OPEN' }) }, clock: { now: () => NOW }, sink: new RecordingSink() });
    const report = await sweep.run();
    expect(evaluator.evaluated.sort()).toEqual([nodeId(400), nodeId(401), nodeId(402)]);
    expect(report.stillBlocked).toBe(0);
  });

  test('an unreadable calendar keeps calendar deferrals deferred (a freeze is never ignored)', async () => {
    const parts = await deferredFleet();
    const evaluator = new RecordingEvaluator();
    const sink = new RecordingSink();
    const sweep = new LedgerSweep({ ...parts, evaluator, settings, calendar: { state: async () => Promise.reject(new Error('AccessDenied')) }, clock: { now: () => NOW }, sink });
    await sweep.run();
    expect(evaluator.evaluated).not.toContain(nodeId(400));
    expect(sink.logs.some((log) => log.level === 'warn' && log.message.startsWith('change calendar unreadable'))).toBe(true);
  });
});

describe('nodes waiting for a cap with room: only as many as could take a slot are re-read (issue 18)', () => {
  const waiter = (index: number, guard: 'REBOOT_CAP' | 'REMEDIATION_CAP', sinceMinutesAgo: number) => ({
    instanceId: nodeId(600 + index),
    openCauses: [],
    deferral: { guard, reason: 'cap reached', since: minutesAgo(sinceMinutesAgo).toISOString() },
  });

  test('admitCapWaiting: oldest first, two per free slot, reboot and remediation rooms both held', () => {
    const settings = { maxRemediationsInFlight: 50, maxRebootsInFlight: 10 };
    const waiting = Array.from({ length: 30 }, (_, index) => waiter(index, 'REBOOT_CAP', 100 - index));
    const one = admitCapWaiting(waiting, { remediations: 9, reboots: 9 }, settings);
    expect(one.admitted.map((node) => node.instanceId)).toEqual([nodeId(600), nodeId(601)]);
    expect(one.waiting).toBe(28);
    expect(admitCapWaiting(waiting, { remediations: 10, reboots: 10 }, settings).admitted).toEqual([]);
    // Remediation-cap waiters are not held by the reboot room, but by the remediation room.
    const mixed = [...waiting, waiter(40, 'REMEDIATION_CAP', 50)];
    expect(admitCapWaiting(mixed, { remediations: 9, reboots: 10 }, settings).admitted.map((node) => node.instanceId)).toEqual([nodeId(640)]);
    expect(admitCapWaiting(mixed, { remediations: 49, reboots: 0 }, settings).admitted).toHaveLength(2);
  });

  test('a sweep with one free reboot slot re-reads the two oldest waiters, the rest stay still blocked', async () => {
    const parts = await freshTable();
    const ids = Array.from({ length: 12 }, (_, index) => nodeId(700 + index));
    for (const [index, id] of ids.entries()) {
      await parts.ledger.recordEvaluation({ instanceId: id, at: minutesAgo(200 - index), deferral: { guard: 'REBOOT_CAP', reason: 'reboot cap reached' } });
    }
    const busy = await parts.ledger.acquireLock({ instanceId: nodeId(799), action: 'REBOOT_NODE', causes: ['PENDING_REBOOT'], reboot: true, now: minutesAgo(5), maxRemediationsInFlight: 50, maxRebootsInFlight: 2 });
    if (!busy.acquired) throw new Error('lock not acquired');
    await parts.ledger.attachCommand(busy.lock, 'cmd-busy');
    const evaluator = new RecordingEvaluator();
    const sweep = new LedgerSweep({ ...parts, evaluator, settings: { ...DEFAULT_SETTINGS, maxRebootsInFlight: 2 }, clock: { now: () => NOW }, sink: new RecordingSink() });
    const report = await sweep.run();
    expect(evaluator.evaluated.sort()).toEqual([ids[0], ids[1]]);
    expect(report.candidates.DEFERRED).toBe(2);
    expect(report.stillBlocked).toBe(10);
  });
});

describe('since when failed patch commands are noted (domain/detail-plan.ts)', () => {
  test('the first run records it, paused or not; a later run keeps the first time', async () => {
    const parts = await freshTable();
    const notes = new DynamoFailureNotes({ client: server.documentClient, tableName: `sweep-${tables}` });
    const paused = {
      source: { current: async () => 'paused' as const },
      parameterName: '/ssm-compliance-autopilot/mode',
      notices: { claimNotice: async () => false, forgetNotice: async () => undefined },
      notifier: { notifyPaused: async () => ({ messageId: 'm-1', subject: 'paused' }) },
    };
    const sink = new RecordingSink();
    await new LedgerSweep({ ...parts, evaluator: new RecordingEvaluator(), settings: DEFAULT_SETTINGS, clock: { now: () => NOW }, sink, failureNotes: notes, liveMode: paused }).run();
    const later = new Date(NOW.getTime() + 3_600_000);
    await new LedgerSweep({ ...parts, evaluator: new RecordingEvaluator(), settings: DEFAULT_SETTINGS, clock: { now: () => later }, sink, failureNotes: new DynamoFailureNotes({ client: server.documentClient, tableName: `sweep-${tables}` }) }).run();
    expect(await new DynamoFailureNotes({ client: server.documentClient, tableName: `sweep-${tables}` }).since()).toBe(NOW.toISOString());
  });

  test('a refused write is counted and the run goes on', async () => {
    const parts = await freshTable();
    await parts.ledger.recordEvaluation({ instanceId: nodeId(7), at: minutesAgo(60 * 24), deferral: { guard: 'REBOOT_CAP', reason: 'full' } });
    const evaluator = new RecordingEvaluator();
    const sink = new RecordingSink();
    const refusing = { since: async () => undefined, start: async () => Promise.reject(new Error('AccessDeniedException')) };
    await new LedgerSweep({ ...parts, evaluator, settings: DEFAULT_SETTINGS, clock: { now: () => NOW }, sink, failureNotes: refusing }).run();
    expect(sink.countOf('BookkeepingFailures')).toBe(1);
    expect(evaluator.evaluated).toEqual([nodeId(7)]);
  });
});
