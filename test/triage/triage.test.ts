/**
 * The triage use case end to end over its ports: real DynamoDB ledger (dynalite), real SsmRemediator
 * over an aws-sdk-client-mock'ed SSM client, example snapshots from examples/ served by a fake
 * reader, recording notifier / lifecycle publisher / sink.
 */
import { SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoRemediationLedger } from '../../lambdas/adapters/dynamo-ledger';
import { SsmCommandFinder } from '../../lambdas/adapters/ssm-command-finder';
import { SsmRemediator } from '../../lambdas/adapters/ssm-remediator';
import type { DiagnosisAlertInput, ResolvedAlertInput } from '../../lambdas/domain/alerts/types';
import type { LifecycleEvent } from '../../lambdas/domain/lifecycle';
import { DEFAULT_SETTINGS, type AutopilotSettings } from '../../lambdas/domain/settings';
import type { NodeSnapshot } from '../../lambdas/domain/types';
import type { CalendarReader } from '../../lambdas/ports/acting';
import type { AlertNotifier, AlertReceipt } from '../../lambdas/ports/alerts';
import type { NodeReadFailure, NodeStateReader, NodeSummary, ReadOptions } from '../../lambdas/ports/reading';
import { QUIET_EVENT_REVERIFY_FACTOR, TriageUseCase } from '../../lambdas/usecases/triage';
import { asSqsRecord, loadEvent } from '../fixtures/events';
import { startLedgerTable, type LocalTable } from '../ledger/dynalite';
import { summaryFingerprint } from '../../lambdas/adapters/ssm/summary';
import { RecordingSink } from './recording-sink';

const ssm = mockClient(SSMClient);
const ssmClient = new SSMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

function example(name: string, instanceId?: string): NodeSnapshot {
  const snapshot = JSON.parse(readFileSync(join(__dirname, '../../examples', `${name}.json`), 'utf8')) as NodeSnapshot;
  if (!instanceId) return snapshot;
  return { ...snapshot, instanceId, ...(snapshot.instanceInformation ? { instanceInformation: { ...snapshot.instanceInformation, InstanceId: instanceId } } : {}) };
}

/** Serves fixed snapshots like the SSM reader would: summaries first (needsDetail), unknown and failed nodes. */
class FixedReader implements NodeStateReader {
  readonly calls: string[][] = [];
  constructor(
    public snapshots: Map<string, NodeSnapshot>,
    public failures: NodeReadFailure[] = [],
  ) {}
  async readSnapshots(instanceIds: string[], options: ReadOptions = {}) {
    this.calls.push([...instanceIds]);
    const result = { snapshots: [] as NodeSnapshot[], unknown: [] as string[], failed: [] as NodeReadFailure[], skipped: [] as NodeSummary[] };
    for (const id of instanceIds) {
      const failure = this.failures.find((entry) => entry.instanceId === id);
      const snapshot = this.snapshots.get(id);
      if (failure) result.failed.push(failure);
      else if (!snapshot) result.unknown.push(id);
      else {
        const summary: NodeSummary = {
          instanceId: id,
          instanceInformation: snapshot.instanceInformation,
          patchState: snapshot.patchState,
          nonCompliantSummaries: snapshot.complianceSummaries ?? [],
          tags: snapshot.tags ?? {},
          fingerprint: '',
        };
        // The reader's own fingerprint (adapters/ssm/summary.ts): what a real scan does to it matters here.
        summary.fingerprint = summaryFingerprint(summary);
        if (options.needsDetail && !(await options.needsDetail(summary))) result.skipped.push(summary);
        else result.snapshots.push(snapshot);
      }
    }
    return result;
  }
}

class RecordingNotifier implements AlertNotifier {
  readonly sent: Array<{ kind: string; input: DiagnosisAlertInput | ResolvedAlertInput }> = [];
  failNext = false;
  private receipt(kind: string, input: DiagnosisAlertInput | ResolvedAlertInput): Promise<AlertReceipt> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('SNS unavailable'));
    }
    this.sent.push({ kind, input });
    return Promise.resolve({ messageId: `m-${this.sent.length}`, subject: kind });
  }
  notifyDiagnosis(input: DiagnosisAlertInput) {
    return this.receipt('DIAGNOSIS', input);
  }
  notifyExhausted(input: DiagnosisAlertInput) {
    return this.receipt('EXHAUSTED', input);
  }
  notifyDeferred(input: DiagnosisAlertInput) {
    return this.receipt('DEFERRED', input);
  }
  notifyResolved(input: ResolvedAlertInput) {
    return this.receipt('RESOLVED', input);
  }
  notifyCommandFailed(): Promise<AlertReceipt> {
    throw new Error('not used by the triage');
  }
}

class FixedCalendar implements CalendarReader {
  constructor(public current: 'OPEN' | 'CLOSED' = 'OPEN') {}
  async state() {
    return this.current === 'CLOSED' ? { state: 'CLOSED' as const, closedBy: ['patch-freeze'] } : { state: 'OPEN' as const };
  }
}

let table: LocalTable;
let tables = 0;
beforeAll(async () => {
  table = await startLedgerTable('triage-0');
});
afterAll(async () => table.close());
beforeEach(() => {
  ssm.reset();
  let commands = 0;
  ssm.on(SendCommandCommand).callsFake(async () => ({ Command: { CommandId: `cmd-${++commands}` } }));
});

const NOW = new Date('2026-11-20T14:10:00.000Z');

async function harness(snapshots: NodeSnapshot[], settingsOverrides: Partial<AutopilotSettings> = {}, shared?: { ledgerTable: string }) {
  const settings: AutopilotSettings = { ...DEFAULT_SETTINGS, minNodeAgeMinutes: 0, ...settingsOverrides };
  let tableName = shared?.ledgerTable;
  if (!tableName) {
    tables += 1;
    tableName = `triage-${tables}`;
    await table.createTable(tableName);
  }
  const clock = { current: NOW, now: () => clock.current };
  const sink = new RecordingSink();
  const notifier = new RecordingNotifier();
  const calendar = new FixedCalendar();
  const lifecycle: LifecycleEvent[] = [];
  const reader = new FixedReader(new Map(snapshots.map((snapshot) => [snapshot.instanceId, snapshot])));
  const ledger = new DynamoRemediationLedger(table.documentClient, tableName);
  const triage = new TriageUseCase({
    reader,
    ledger,
    remediator: new SsmRemediator({ client: ssmClient, settings, sink, logGroupName: '/ssm-compliance-autopilot/Test/commands' }),
    finder: new SsmCommandFinder(ssmClient),
    calendar,
    notifier,
    lifecycle: {
      publish: async (events) => {
        lifecycle.push(...events);
        return { published: events.length, failed: [] };
      },
    },
    clock,
    sink,
    settings,
    ownRoleNames: ['autopilot-triage-role'],
  });
  return { triage, ledger, reader, notifier, calendar, lifecycle, sink, clock, tableName };
}

function nodeEvent(instanceId: string, messageId: string) {
  const event = loadEvent('nativePatchNonCompliant');
  event.detail['resource-id'] = instanceId;
  event.id = `event-${messageId}`;
  return asSqsRecord(event, messageId);
}

/** A software-inventory PutInventory event for the node: it cannot change the node's compliance. */
function softwareEvent(instanceId: string, messageId: string) {
  const event = loadEvent('putInventorySoftware');
  const text = JSON.stringify(event).split(String((event.detail['requestParameters'] as { instanceId: string }).instanceId)).join(instanceId);
  return asSqsRecord({ ...JSON.parse(text), id: `event-${messageId}` }, messageId);
}

const REBOOT_NODE = 'i-0e3b07d5b6f83a4d9'; // examples/pending-reboot.json, tag auto
const INSTALL_NODE = 'i-0c19e5b3f4d6182b7'; // examples/missing-patches.json, tag auto

describe('one command per node, whatever the delivery', () => {
  it('two concurrent handlers on one node send exactly ONE RunPatchBaseline', async () => {
    const first = await harness([example('pending-reboot')]);
    const second = await harness([example('pending-reboot')], {}, { ledgerTable: first.tableName });
    const [a, b] = await Promise.all([
      first.triage.processRecords([nodeEvent(REBOOT_NODE, 'm1')]),
      second.triage.processRecords([nodeEvent(REBOOT_NODE, 'm2')]),
    ]);
    expect(a.batchItemFailures).toEqual([]);
    expect(b.batchItemFailures).toEqual([]);
    const calls = ssm.commandCalls(SendCommandCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({ InstanceIds: [REBOOT_NODE], Parameters: { Operation: ['Install'], RebootOption: ['RebootIfNeeded'] } });
    expect(first.sink.metric('SkippedInFlight') + second.sink.metric('SkippedInFlight')).toBe(1);
    const lock = (await first.ledger.readNodes([REBOOT_NODE])).get(REBOOT_NODE)?.lock;
    expect(lock).toMatchObject({ commandId: 'cmd-1', action: 'REBOOT_NODE', reboot: true });
  });

  it('a redelivered batch sends nothing more, and duplicates inside a batch are coalesced', async () => {
    const h = await harness([example('pending-reboot')]);
    await h.triage.processRecords([nodeEvent(REBOOT_NODE, 'm1'), nodeEvent(REBOOT_NODE, 'm2')]);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
    expect(h.reader.calls).toEqual([[REBOOT_NODE]]);
    h.clock.current = new Date(NOW.getTime() + 60_000);
    const again = await h.triage.processRecords([nodeEvent(REBOOT_NODE, 'm1'), nodeEvent(REBOOT_NODE, 'm2')]);
    expect(again.batchItemFailures).toEqual([]);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
    expect(h.lifecycle.filter((event) => event.detailType === 'Remediation Started')).toHaveLength(1);
    expect(h.lifecycle[0]?.detail).toMatchObject({ instanceId: REBOOT_NODE, commandId: 'cmd-1', action: 'REBOOT_NODE' });
  });

  it('groups nodes with the same decision into one SendCommand', async () => {
    const ids = ['i-0c19e5b3f4d6182a1', 'i-0c19e5b3f4d6182a2', 'i-0c19e5b3f4d6182a3'];
    const h = await harness(ids.map((id) => example('missing-patches', id)));
    await h.triage.processRecords(ids.map((id, index) => nodeEvent(id, `m${index}`)));
    const calls = ssm.commandCalls(SendCommandCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.InstanceIds).toEqual(ids);
    expect(h.sink.metric('CommandsSent_INSTALL_PATCHES')).toBe(3);
  });
});

describe('guards in the pipeline', () => {
  it('escalates once the attempt cap is reached: REMEDIATION_EXHAUSTED alert, no third command', async () => {
    const h = await harness([example('pending-reboot')], { cooldownMinutes: 0, maxAttemptsPerCause: 2 });
    for (let round = 1; round <= 4; round += 1) {
      h.clock.current = new Date(NOW.getTime() + round * 10 * 60_000);
      await h.triage.processRecords([nodeEvent(REBOOT_NODE, `m${round}`)]);
      // The follow-up sees the command end; the node is still non-compliant.
      await h.ledger.releaseByCommand(REBOOT_NODE, `cmd-${round}`, h.clock.current);
    }
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(2);
    const exhausted = h.notifier.sent.filter((alert) => alert.kind === 'EXHAUSTED');
    expect(exhausted).toHaveLength(1);
    expect((exhausted[0]?.input as DiagnosisAlertInput).outcome).toMatchObject({ kind: 'EXHAUSTED', attempts: 2, windowHours: 24 });
    // Round 4: nothing changed since the exhausted evaluation, so the node is not even read in detail again.
    expect(h.sink.metric('Exhausted')).toBe(1);
    expect(h.sink.metric('UnchangedNodes')).toBe(1);
    expect(h.lifecycle.map((event) => event.detailType)).toEqual(['Remediation Started', 'Remediation Started', 'Remediation Exhausted']);
  });

  it('defers while the change calendar is CLOSED (one alert), then acts when it opens', async () => {
    const h = await harness([example('pending-reboot')], { changeCalendarNames: ['patch-freeze'] });
    h.calendar.current = 'CLOSED';
    await h.triage.processRecords([nodeEvent(REBOOT_NODE, 'm1')]);
    await h.triage.processRecords([nodeEvent(REBOOT_NODE, 'm2')]);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
    expect(h.notifier.sent.map((alert) => alert.kind)).toEqual(['DEFERRED']);
    expect((h.notifier.sent[0]?.input as DiagnosisAlertInput).outcome).toMatchObject({ kind: 'DEFERRED', guard: 'CALENDAR_CLOSED' });
    expect((await h.ledger.readNodes([REBOOT_NODE])).get(REBOOT_NODE)?.deferral).toMatchObject({ guard: 'CALENDAR_CLOSED', since: NOW.toISOString() });

    h.calendar.current = 'OPEN';
    await h.triage.evaluateNodes([REBOOT_NODE], { source: 'sweep' });
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
    expect((await h.ledger.readNodes([REBOOT_NODE])).get(REBOOT_NODE)?.deferral).toBeUndefined();
  });

  it('holds the reboot cap across a batch and across concurrent handlers', async () => {
    const ids = Array.from({ length: 6 }, (_, index) => `i-0e3b07d5b6f83a4${index}0`);
    const snapshots = ids.map((id) => example('pending-reboot', id));
    const first = await harness(snapshots, { maxRebootsInFlight: 2 });
    const second = await harness(snapshots, { maxRebootsInFlight: 2 }, { ledgerTable: first.tableName });
    await Promise.all([
      first.triage.processRecords(ids.slice(0, 3).map((id, index) => nodeEvent(id, `a${index}`))),
      second.triage.processRecords(ids.slice(3).map((id, index) => nodeEvent(id, `b${index}`))),
    ]);
    const sentTo = ssm.commandCalls(SendCommandCommand).flatMap((call) => call.args[0].input.InstanceIds ?? []);
    expect(sentTo).toHaveLength(2);
    expect((await first.ledger.readInFlight()).reboots).toBe(2);
    expect(first.sink.metric('Deferred') + second.sink.metric('Deferred')).toBe(4);
    // Cap deferrals page nobody, but subscribers of the lifecycle events hear of each one once.
    const deferredEvents = () => [...first.lifecycle, ...second.lifecycle].filter((event) => event.detailType === 'Remediation Deferred');
    expect(deferredEvents()).toHaveLength(4);
    expect(first.notifier.sent.filter((alert) => alert.kind === 'DEFERRED')).toHaveLength(0);
    const deferredIds = deferredEvents().map((event) => event.detail.instanceId);
    first.clock.current = new Date(NOW.getTime() + 5 * 60_000);
    await first.triage.evaluateNodes(deferredIds, { source: 'sweep' });
    expect(deferredEvents()).toHaveLength(4);
  });

  it('leaves a node deferred by a full reboot cap unread on quiet events, and reads it once the cap has room', async () => {
    const ids = ['i-0e3b07d5b6f83a410', 'i-0e3b07d5b6f83a420'];
    const h = await harness(ids.map((id) => example('pending-reboot', id)), { maxRebootsInFlight: 1 });
    await h.triage.processRecords(ids.map((id, index) => nodeEvent(id, `m${index}`)));
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
    const deferred = ids.find((id) => !ssm.commandCalls(SendCommandCommand)[0]?.args[0].input.InstanceIds?.includes(id)) ?? '';
    expect((await h.ledger.readNodes([deferred])).get(deferred)?.deferral).toMatchObject({ guard: 'REBOOT_CAP' });
    const readsBefore = h.reader.calls.length;

    // Software inventory 30 minutes later, the cap still full: re-reading would only defer it again.
    h.clock.current = new Date(NOW.getTime() + 30 * 60_000);
    expect(await h.triage.processRecords([softwareEvent(deferred, 's1')])).toEqual({ batchItemFailures: [] });
    expect(h.reader.calls).toHaveLength(readsBefore);
    expect(h.sink.metric('DeferralsStillBlocked')).toBe(1);

    // The first reboot ended: the next quiet event reads the node and the reboot goes out.
    const holder = ids.find((id) => id !== deferred) ?? '';
    await h.ledger.releaseByCommand(holder, 'cmd-1', h.clock.current);
    h.clock.current = new Date(NOW.getTime() + 60 * 60_000);
    await h.triage.processRecords([softwareEvent(deferred, 's2')]);
    expect(h.reader.calls).toHaveLength(readsBefore + 1);
    expect(ssm.commandCalls(SendCommandCommand).map((call) => call.args[0].input.InstanceIds)).toEqual([[holder], [deferred]]);
    expect((await h.ledger.readNodes([deferred])).get(deferred)?.deferral).toBeUndefined();
  });

  it('releases the lock when SendCommand fails and puts the node back on the queue', async () => {
    // A 4xx: SSM answered, so provably nothing was created; the node may safely go back to the queue.
    ssm.on(SendCommandCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const h = await harness([example('missing-patches')]);
    const result = await h.triage.processRecords([nodeEvent(INSTALL_NODE, 'm1')]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(await h.ledger.readInFlight()).toMatchObject({ remediations: 0, reboots: 0 });
  });

  it('releases the lock and counts a node SSM rejects as InvalidInstanceId, without retrying it', async () => {
    ssm.on(SendCommandCommand).rejects(Object.assign(new Error('invalid'), { name: 'InvalidInstanceId', $metadata: { httpStatusCode: 400 } }));
    const h = await harness([example('missing-patches')]);
    const result = await h.triage.processRecords([nodeEvent(INSTALL_NODE, 'm1')]);
    expect(result.batchItemFailures).toEqual([]);
    expect(h.sink.metric('CommandRejected_INVALID_INSTANCE')).toBe(1);
    expect((await h.ledger.readInFlight()).remediations).toBe(0);
  });
});

describe('alerts and intake', () => {
  it('alerts a NOTIFY cause once per fingerprint, then sends ONE resolved message when the node is compliant', async () => {
    const failing = example('failed-patches');
    const h = await harness([failing]);
    await h.triage.processRecords([nodeEvent(failing.instanceId, 'm1')]);
    h.clock.current = new Date(NOW.getTime() + 45 * 60_000);
    await h.triage.evaluateNodes([failing.instanceId], { source: 'sweep' });
    expect(h.notifier.sent.map((alert) => alert.kind)).toEqual(['DIAGNOSIS']);
    expect(h.sink.metric('AlertsSuppressed')).toBe(1);

    const healthy = example('healthy-linux', failing.instanceId);
    h.reader.snapshots.set(failing.instanceId, healthy);
    await Promise.all([
      h.triage.evaluateNodes([failing.instanceId], { source: 'sweep' }),
      h.triage.evaluateNodes([failing.instanceId], { source: 'sweep' }),
    ]);
    const resolved = h.notifier.sent.filter((alert) => alert.kind === 'RESOLVED');
    expect(resolved).toHaveLength(1);
    expect((resolved[0]?.input as ResolvedAlertInput).resolvedCauses).toEqual(['FAILED_PATCHES']);
  });

  it('gives the alert claim back when SNS fails, so the retry sends it', async () => {
    const failing = example('failed-patches');
    const h = await harness([failing]);
    h.notifier.failNext = true;
    const first = await h.triage.processRecords([nodeEvent(failing.instanceId, 'm1')]);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    await h.triage.processRecords([nodeEvent(failing.instanceId, 'm1')]);
    expect(h.notifier.sent.map((alert) => alert.kind)).toEqual(['DIAGNOSIS']);
  });

  it('acknowledges and counts malformed and ignored records, retries only retryable read failures, drops unknown nodes', async () => {
    const h = await harness([example('missing-patches')]);
    h.reader.failures = [
      { instanceId: 'i-0aaaaaaaaaaaaaaa1', error: 'ThrottlingException', retryable: true },
      { instanceId: 'i-0aaaaaaaaaaaaaaa2', error: 'AccessDeniedException', retryable: false },
    ];
    const ownCall = loadEvent('putComplianceItemsInstance');
    (ownCall.detail as { userIdentity?: unknown }).userIdentity = {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/autopilot-triage-role/session',
      sessionContext: { sessionIssuer: { type: 'Role', userName: 'autopilot-triage-role', arn: 'arn:aws:iam::111122223333:role/autopilot-triage-role' } },
    };
    const result = await h.triage.processRecords([
      { messageId: 'bad', body: '{"not": "an event"' },
      asSqsRecord(ownCall, 'own'),
      nodeEvent('i-0aaaaaaaaaaaaaaa1', 'throttled'),
      nodeEvent('i-0aaaaaaaaaaaaaaa2', 'denied'),
      nodeEvent('i-0bbbbbbbbbbbbbbb3', 'gone'),
      nodeEvent(INSTALL_NODE, 'ok'),
    ]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'throttled' }]);
    expect(h.sink.metric('MalformedEvents')).toBe(1);
    expect(h.sink.lines.find((line) => line.message === 'malformed event dropped')?.fields).toMatchObject({ messageId: 'bad' });
    expect(h.sink.metric('IgnoredEvents')).toBe(1);
    expect(h.sink.metric('ReadFailures')).toBe(2);
    expect(h.sink.metric('UnknownNodes')).toBe(1);
    expect(h.sink.metric('NodesEvaluated')).toBe(1);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
  });

  it('dry-run sends no command and alerts what it would do', async () => {
    const h = await harness([example('pending-reboot')], { mode: 'dry-run' });
    await h.triage.processRecords([nodeEvent(REBOOT_NODE, 'm1')]);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
    expect(h.notifier.sent).toHaveLength(1);
    expect((h.notifier.sent[0]?.input as DiagnosisAlertInput).outcome).toEqual({ kind: 'DRY_RUN' });
    expect((h.notifier.sent[0]?.input as DiagnosisAlertInput).decision).toMatchObject({ action: 'REBOOT_NODE', dryRun: true });
  });

  it('skips detail reads for a node whose summary did not change since a recent evaluation', async () => {
    const failing = example('failed-patches');
    const h = await harness([failing]);
    await h.triage.processRecords([nodeEvent(failing.instanceId, 'm1')]);
    h.clock.current = new Date(NOW.getTime() + 5 * 60_000);
    await h.triage.processRecords([nodeEvent(failing.instanceId, 'm2')]);
    expect(h.sink.metric('NodesEvaluated')).toBe(1);
    expect(h.sink.metric('UnchangedNodes')).toBe(1);
  });

  it('keeps an unchanged evaluation for alertRepeatHours (24 h by default), then reads the details and repeats the alert', async () => {
    const failing = example('failed-patches');
    const h = await harness([failing]);
    const at = (hours: number) => new Date(NOW.getTime() + hours * 3_600_000);
    await h.triage.processRecords([nodeEvent(failing.instanceId, 'm1')]);
    h.clock.current = at(13);
    await h.triage.processRecords([nodeEvent(failing.instanceId, 'm2')]);
    expect(h.sink.metric('NodesEvaluated')).toBe(1);
    expect(h.sink.metric('UnchangedNodes')).toBe(1);
    h.clock.current = at(23.5);
    await h.triage.processRecords([nodeEvent(failing.instanceId, 'm3')]);
    expect(h.sink.metric('NodesEvaluated')).toBe(1);
    h.clock.current = at(25);
    await h.triage.processRecords([nodeEvent(failing.instanceId, 'm4')]);
    expect(h.sink.metric('NodesEvaluated')).toBe(2);
    expect(h.notifier.sent).toHaveLength(2);
  });

  it('a daily scan that finds the same counts keeps the evaluation, except for a cause tied to the last run', async () => {
    const missing = example('missing-patches', 'i-0aaaaaaaaaaaaaaa1');
    const stale = example('patch-scan-stale', 'i-0aaaaaaaaaaaaaaa2');
    const h = await harness([missing, stale], { mode: 'dry-run' });
    await h.triage.processRecords([nodeEvent(missing.instanceId, 'm1'), nodeEvent(stale.instanceId, 'm2')]);
    expect(h.sink.metric('NodesEvaluated')).toBe(2);
    // The maintenance window's scan: new times and snapshot, same counts.
    h.clock.current = new Date(NOW.getTime() + 3_600_000);
    for (const node of [missing, stale]) {
      node.patchState = { ...node.patchState!, OperationStartTime: new Date(NOW.getTime() + 3_500_000).toISOString(), OperationEndTime: new Date(NOW.getTime() + 3_590_000).toISOString(), SnapshotId: 'c0ffee00-0000-4000-8000-00000000000a' };
    }
    await h.triage.processRecords([nodeEvent(missing.instanceId, 'm3'), nodeEvent(stale.instanceId, 'm4')]);
    // MISSING_PATCHES holds whatever time the scan ran: unchanged. PATCH_SCAN_STALE is gone with a fresh scan.
    expect(h.sink.metric('UnchangedNodes')).toBe(1);
    expect(h.notifier.sent.filter((alert) => alert.kind === 'RESOLVED').map((alert) => (alert.input as ResolvedAlertInput).instanceId)).toEqual([stale.instanceId]);
  });

  it('reads an unchanged node again once its last patch operation turned stale since the evaluation (PATCH_SCAN_STALE)', async () => {
    const failing = example('failed-patches');
    const h = await harness([failing], { staleScanHours: 10 });
    const ended = Date.parse(failing.patchState!.OperationEndTime!);
    // Evaluated while the scan was fresh (9 h old), then 2 h later it is 11 h old: stale since.
    h.clock.current = new Date(ended + 9 * 3_600_000);
    await h.triage.processRecords([nodeEvent(failing.instanceId, 'm1')]);
    h.clock.current = new Date(ended + 11 * 3_600_000);
    await h.triage.processRecords([nodeEvent(failing.instanceId, 'm2')]);
    expect(h.sink.metric('UnchangedNodes')).toBe(0);
    expect(h.sink.metric('NodesEvaluated')).toBe(2);
  });

  it('acknowledges events that cannot change compliance without an SSM read, until the re-read interval or a compliance event', async () => {
    const failing = example('failed-patches');
    const h = await harness([failing]);
    const software = (messageId: string) => softwareEvent(failing.instanceId, messageId);
    // First sight: read and evaluated, even from a software-inventory event.
    await h.triage.processRecords([software('m1')]);
    expect(h.reader.calls).toHaveLength(1);
    // Two software-inventory events 10 minutes later (coalesced): nothing to re-read.
    h.clock.current = new Date(NOW.getTime() + 10 * 60_000);
    const result = await h.triage.processRecords([software('m2'), software('m3')]);
    expect(result.batchItemFailures).toEqual([]);
    expect(h.reader.calls).toHaveLength(1);
    expect(h.sink.metric('QuietNodesSkipped')).toBe(1);
    // A compliance event in the same situation is always re-read.
    await h.triage.processRecords([nodeEvent(failing.instanceId, 'm4')]);
    expect(h.reader.calls).toHaveLength(2);
    // Once the sweep fell behind (no read for 2 x reverifyHours), the quiet event reads the node again.
    h.clock.current = new Date(NOW.getTime() + (QUIET_EVENT_REVERIFY_FACTOR * DEFAULT_SETTINGS.reverifyHours * 60 + 11) * 60_000);
    await h.triage.processRecords([software('m5')]);
    expect(h.reader.calls).toHaveLength(3);
  });

  it('a periodic re-read of an unchanged node skips the detail calls and counts as a read for quiet events', async () => {
    const failing = example('failed-patches');
    const h = await harness([failing]);
    await h.triage.processRecords([nodeEvent(failing.instanceId, 'm1')]);
    h.clock.current = new Date(NOW.getTime() + 7 * 3_600_000);
    const result = await h.triage.evaluateNodes([failing.instanceId], { source: 'reverify' });
    expect(result.outcomes).toEqual([{ instanceId: failing.instanceId, kind: 'UNCHANGED' }]);
    expect(h.sink.metric('NodesEvaluated')).toBe(1);
    const record = (await h.ledger.readNodes([failing.instanceId])).get(failing.instanceId);
    expect(record?.lastCheckedAt).toBe(h.clock.current.toISOString());
    // 11 h after the evaluation but 4 h after the check: a software-inventory event needs no read.
    h.clock.current = new Date(NOW.getTime() + 11 * 3_600_000);
    await h.triage.processRecords([softwareEvent(failing.instanceId, 'm2')]);
    expect(h.reader.calls).toHaveLength(2);
    expect(h.sink.metric('QuietNodesSkipped')).toBe(1);
  });
});
