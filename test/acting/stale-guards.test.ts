/**
 * Issue 14, item 2: guards decided on the state the lock is taken on. Handler B reads the ledger,
 * then spends seconds reading SSM; meanwhile handler A sends, the command fails fast and the
 * follow-up releases the lock. B then takes the free lock: the node's guards are decided again on a
 * fresh read after the lock, so B sends nothing inside the cooldown.
 */
import { startWorld, stopLedger } from './world';

afterAll(stopLedger);

test('a slow reader racing a fast-failing command and its follow-up sends nothing: one command, cooldown respected', async () => {
  const world = await startWorld({ cooldownMinutes: 60, maxAttemptsPerCause: 3 });
  const [node] = world.nodes('PENDING_REBOOT', 1);
  const fakeNode = world.fake.nodes.get(node!.instanceId)!;

  // B: its first patch-state read is slow.
  world.inject('DescribeInstancePatchStates', { kind: 'DELAY', ms: 1500 });
  const b = world.container().triage.processRecords([world.record(node!, 'b1')]);
  await world.faultsFired(1);

  // A: reads fast, sends; the node times out at once; the follow-up ends the command.
  const a = await world.container().triage.processRecords([world.record(node!, 'a1')]);
  expect(a.batchItemFailures).toEqual([]);
  expect(world.accepted(node!)).toHaveLength(1);
  fakeNode.nextCommandTimesOut = true;
  const [ended] = world.fake.completeDueCommands(world.clock.now().getTime() + 60 * 60_000);
  const followed = await world.container().followUp.handle(world.statusEvent(ended!, 'TimedOut'));
  expect(followed).toMatchObject({ kind: 'FAILED' });
  expect((await world.ledger.readInFlight()).locks).toHaveLength(0);

  // B wakes up with a ledger read from before A's command: it takes the free lock, re-reads, defers.
  expect((await b).batchItemFailures).toEqual([]);
  expect(world.accepted(node!)).toHaveLength(1);
  expect(world.sink.metric('GuardsChangedAfterLock')).toBe(1);
  expect((await world.ledger.readNodes([node!.instanceId])).get(node!.instanceId)?.deferral?.guard).toBe('COOLDOWN');
  expect(world.fake.audit?.pastGuards).toBe(0);
  expect((await world.ledger.readInFlight()).locks).toHaveLength(0);
  await world.close();
});
