/**
 * Issue 14, item 1: at most one command per lock whatever the network does. SendCommand is never
 * retried (not by the SDK: the wiring's acting client makes one attempt; not by a re-queue); an
 * ambiguous outcome keeps the lock and is reconciled by the send token before anything else is sent.
 */
import { startWorld, stopLedger, type World } from './world';

afterAll(stopLedger);

async function lockOf(world: World, instanceId: string) {
  return (await world.ledger.readNodes([instanceId])).get(instanceId);
}

test.each([
  ['the reply is lost after SSM accepted the command', { kind: 'REPLY_LOST' as const }],
  ['SSM accepted the command and answered 500', { kind: 'SERVER_ERROR_AFTER_ACCEPT' as const }],
])('%s: exactly one command, found by its token and adopted, the attempt counted; a redelivery sends nothing', async (_name, fault) => {
  const world = await startWorld();
  const [node] = world.nodes('PENDING_REBOOT', 1);
  world.inject('SendCommand', fault);

  const first = await world.container().triage.processRecords([world.record(node!, 'm1')]);
  expect(first.batchItemFailures).toEqual([]);
  expect(world.fake.sendCommandRequests).toBe(1); // the SDK did not retry the call
  const accepted = world.accepted(node!);
  expect(accepted).toHaveLength(1);
  const record = await lockOf(world, node!.instanceId);
  expect(record?.lock?.commandId).toBe(accepted[0]!.commandId);
  expect(record?.attempts.PENDING_REBOOT).toHaveLength(1);
  expect(accepted[0]!.comment.startsWith(record!.lock!.sendToken!)).toBe(true);

  // The same event again (SQS redelivery) and another container: the lock holds, nothing is sent.
  await world.container().triage.processRecords([world.record(node!, 'm2')]);
  expect(world.accepted(node!)).toHaveLength(1);
  expect(world.fake.counters.duplicateCommands).toBe(0);
  await world.close();
});

test('the connection drops before SSM saw the call: the lock is kept (no resend) until the sweep proves SSM has no such command, then exactly one command', async () => {
  const world = await startWorld();
  const [node] = world.nodes('PENDING_REBOOT', 1);
  const id = node!.instanceId;
  world.inject('SendCommand', { kind: 'RESET_BEFORE_ACCEPT' });

  const first = await world.container().triage.processRecords([world.record(node!, 'm1')]);
  expect(first.batchItemFailures).toEqual([]); // never re-queued blindly
  expect(world.accepted(node!)).toHaveLength(0);
  expect((await lockOf(world, id))?.lock?.sendToken).toBeDefined();

  // Redelivery and a sweep inside the grace period: still nothing sent, the lock stays.
  await world.container().triage.processRecords([world.record(node!, 'm2')]);
  world.clock.advanceMinutes(2);
  await world.container().sweep.run();
  expect(world.fake.sendCommandRequests).toBe(0); // SSM never saw the first call
  expect((await lockOf(world, id))?.lock).toBeDefined();

  // After the grace: SSM lists no command with the token -> released, attempt taken back, node re-evaluated and sent once.
  world.clock.advanceMinutes(5);
  await world.container().sweep.run();
  expect(world.sink.metric('UnansweredSendsNotCreated')).toBe(1);
  const accepted = world.accepted(node!);
  expect(accepted).toHaveLength(1);
  const record = await lockOf(world, id);
  expect(record?.lock?.commandId).toBe(accepted[0]!.commandId);
  expect(record?.attempts.PENDING_REBOOT).toHaveLength(1);
  expect(world.fake.audit?.pastGuards).toBe(0);
  await world.close();
});
