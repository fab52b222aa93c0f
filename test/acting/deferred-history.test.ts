/**
 * Issue 18: the command history (ListCommandInvocations) is skipped when the ledger rules out a
 * failed patch command (domain/detail-plan.ts); nothing acts on such a partial read. Here the one
 * thing that could fool the ledger happens: someone's AWS-RunPatchBaseline fails on the node and its
 * status-change event never arrives. The triage must read the history before it acts, so the command
 * it sends is decided, and the alert written, on the whole state (the policy still reboots a
 * PENDING_REBOOT node and alerts PATCH_OPERATION_FAILED beside it, as with a full read).
 * Asserted on what the fake SSM accepted, served and published: real wiring, SDK over HTTP, dynalite.
 */
import { startWorld, stopLedger, type World } from './world';
import type { SimNode } from '../../sim/fleet';

afterAll(stopLedger);

/** The ledger remembers a history read 10 minutes ago that showed no failure. */
async function historyReadClearEarlier(world: World, node: SimNode): Promise<void> {
  await world.ledger.recordEvaluation({ instanceId: node.instanceId, at: world.clock.now(), commandHistoryClear: true });
  world.clock.advanceMinutes(10);
}

function foreignFailedInstall(world: World, node: SimNode): void {
  const snapshot = world.fake.nodes.get(node.instanceId)!.snapshot;
  snapshot.commandInvocations = [
    {
      CommandId: 'c0ffee00-1111-2222-3333-444455556666',
      InstanceId: node.instanceId,
      DocumentName: 'AWS-RunPatchBaseline',
      Status: 'Failed',
      StatusDetails: 'Failed',
      RequestedDateTime: new Date(world.clock.now().getTime() - 5 * 60_000).toISOString(),
      Comment: 'maintenance window',
    },
    ...(snapshot.commandInvocations ?? []),
  ];
}

/** The status-change event of someone else's AWS-RunPatchBaseline on the node, requested 5 minutes ago. */
function foreignEnd(world: World, node: SimNode, commandId: string, status: string) {
  const foreign = { commandId, instanceId: node.instanceId, documentName: 'AWS-RunPatchBaseline', requestedMs: world.clock.now().getTime() - 5 * 60_000 };
  return world.statusEvent(foreign as never, status);
}

const historyReads = (world: World) => world.fake.counters.readCallsByOperation['ListCommandInvocations'] ?? 0;

/** The causes of the node's last evaluation log line (the one the decision came from). */
const lastEvaluatedCauses = (world: World) =>
  world.sink.lines.filter((line) => line.message === 'node evaluated').map((line) => line.fields?.['causes']).pop();

test('a failed patch command whose event was lost: the history is read before acting, the action is decided on it', async () => {
  const world = await startWorld();
  const [node] = world.nodes('PENDING_REBOOT', 1);
  await historyReadClearEarlier(world, node!);
  foreignFailedInstall(world, node!);

  const result = await world.container().triage.processRecords([world.record(node!, 'm1')]);
  expect(result.batchItemFailures).toEqual([]);
  // Deferred at first (the ledger said clear), read once the guards let the reboot through.
  expect(world.sink.metric('DeferredDetailRead')).toBe(1);
  expect(historyReads(world)).toBe(1);
  expect(lastEvaluatedCauses(world)).toEqual(['PENDING_REBOOT', 'PATCH_OPERATION_FAILED']);
  expect(world.accepted(node!)).toHaveLength(1);
  expect(world.fake.alerts.map((alert) => alert.message).join('\n')).toContain('PATCH_OPERATION_FAILED');
  expect(world.sink.metric('NodesEvaluated')).toBe(1);
  const record = (await world.ledger.readNodes([node!.instanceId])).get(node!.instanceId);
  // The failure keeps the history read on every evaluation until it is gone.
  expect(record?.commandHistoryClearAt).toBeUndefined();
  await world.close();
});

test('no failure: the same deferred read is made before the one command SSM accepts', async () => {
  const world = await startWorld();
  const [node] = world.nodes('PENDING_REBOOT', 1);
  await historyReadClearEarlier(world, node!);

  await world.container().triage.processRecords([world.record(node!, 'm1')]);
  expect(world.accepted(node!)).toHaveLength(1);
  expect(world.sink.metric('DeferredDetailRead')).toBe(1);
  expect(historyReads(world)).toBe(1);
  expect(lastEvaluatedCauses(world)).toEqual(['PENDING_REBOOT']);
  expect((await world.ledger.readNodes([node!.instanceId])).get(node!.instanceId)?.commandHistoryClearAt).toBe(world.clock.now().toISOString());
  await world.close();
});

test('the event arrives: the follow-up notes it and the next read takes the history at once', async () => {
  const world = await startWorld();
  const [node] = world.nodes('PENDING_REBOOT', 1);
  await historyReadClearEarlier(world, node!);
  foreignFailedInstall(world, node!);
  const followed = await world.container().followUp.handle(foreignEnd(world, node!, 'c0ffee00-1111-2222-3333-444455556666', 'Failed'));
  expect(followed).toMatchObject({ kind: 'NOT_OURS' });
  world.clock.advanceMinutes(1);

  await world.container().triage.processRecords([world.record(node!, 'm1')]);
  // The first pass read the history (only the association statuses were left for before the send).
  expect(historyReads(world)).toBe(1);
  const firstPass = world.sink.lines.find((line) => line.message === 'node evaluated');
  expect(firstPass?.fields?.['causes']).toEqual(['PENDING_REBOOT', 'PATCH_OPERATION_FAILED']);
  await world.close();
});

/** The node's last patch operation ended `minutes` ago; the sweep recorded failure notes an hour before that. */
async function notedSinceBeforeLastOperation(world: World, node: SimNode, minutes: number): Promise<void> {
  const snapshot = world.fake.nodes.get(node.instanceId)!.snapshot;
  const operationEnd = world.clock.now().getTime() - minutes * 60_000;
  snapshot.patchState = { ...snapshot.patchState!, OperationEndTime: new Date(operationEnd).toISOString() };
  await world.failureNotes.start(new Date(operationEnd - 60 * 60_000));
}

test('never evaluated, last patch operation after failure notes began, no failure noted: the history is not read', async () => {
  const world = await startWorld();
  const [node] = world.nodes('FAILED_PATCHES', 1);
  await notedSinceBeforeLastOperation(world, node!, 30);

  await world.container().triage.processRecords([world.record(node!, 'm1')]);
  expect(historyReads(world)).toBe(0);
  expect(lastEvaluatedCauses(world)).toEqual(['FAILED_PATCHES']);
  await world.close();
});

test('never evaluated, a foreign patch command failed and its event arrived: the first evaluation reads the history', async () => {
  const world = await startWorld();
  const [node] = world.nodes('FAILED_PATCHES', 1);
  await notedSinceBeforeLastOperation(world, node!, 30);
  foreignFailedInstall(world, node!);
  await world.container().followUp.handle(foreignEnd(world, node!, 'c0ffee00-1111-2222-3333-444455556666', 'Failed'));
  world.clock.advanceMinutes(1);

  await world.container().triage.processRecords([world.record(node!, 'm1')]);
  expect(historyReads(world)).toBe(1);
  expect(lastEvaluatedCauses(world)).toEqual(['FAILED_PATCHES', 'PATCH_OPERATION_FAILED']);
  // The read found it: the mark stays, so the next evaluation reads the history again.
  const record = (await world.ledger.readNodes([node!.instanceId])).get(node!.instanceId);
  expect(record?.commandHistoryClearAt).toBeUndefined();
  expect(record?.patchCommandFailedSeenAt).toBeDefined();
  await world.close();
});

test('a successful foreign patch command is not noted: it cannot add a failure', async () => {
  const world = await startWorld();
  const [node] = world.nodes('FAILED_PATCHES', 1);
  await notedSinceBeforeLastOperation(world, node!, 30);
  await world.container().followUp.handle(foreignEnd(world, node!, 'c0ffee00-1111-2222-3333-444455556667', 'Success'));

  await world.container().triage.processRecords([world.record(node!, 'm1')]);
  expect(historyReads(world)).toBe(0);
  await world.close();
});

test('last patch operation older than the re-read period: the history is read even with notes running', async () => {
  const world = await startWorld();
  const [node] = world.nodes('FAILED_PATCHES', 1);
  await notedSinceBeforeLastOperation(world, node!, 25 * 60);

  await world.container().triage.processRecords([world.record(node!, 'm1')]);
  expect(historyReads(world)).toBe(1);
  await world.close();
});

test('history clear and recent, no event: an alert-only evaluation skips ListCommandInvocations', async () => {
  const world = await startWorld();
  const [node] = world.nodes('FAILED_PATCHES', 1);
  await historyReadClearEarlier(world, node!);

  await world.container().triage.processRecords([world.record(node!, 'm1')]);
  expect(world.accepted(node!)).toEqual([]);
  expect(historyReads(world)).toBe(0);
  expect(world.sink.metric('DeferredDetailRead')).toBe(0);
  await world.close();
});
