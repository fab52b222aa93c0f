/**
 * Issue 14, item 4: per-node failure isolation in a multi-node SendCommand. SSM refuses the whole
 * call when one node is invalid (InvalidInstanceId) or denied (AccessDenied from the IAM tag
 * condition); the refused node is found (named in the error, or by splitting the chunk), dropped
 * with a log line, and the others are sent in the same run, each exactly once. Nothing is re-queued
 * into the DLQ.
 */
import { startWorld, stopLedger } from './world';

afterAll(stopLedger);

test('a node deregistered between the read and SendCommand: the other nodes get their command in the same run', async () => {
  let done = false;
  const world = await startWorld({}, {
    beforeSendCommand: (ids) => {
      if (done || ids.length < 3) return;
      done = true;
      world.fake.nodes.get(ids[1]!)!.deregistered = true;
    },
  });
  const nodes = world.nodes('PENDING_REBOOT', 3);
  const result = await world.container().triage.processRecords(nodes.map((node, index) => world.record(node, `m${index}`)));
  expect(result.batchItemFailures).toEqual([]);
  const gone = nodes.find((node) => world.fake.nodes.get(node.instanceId)!.deregistered)!;
  for (const node of nodes) expect(world.accepted(node)).toHaveLength(node === gone ? 0 : 1);
  const locks = (await world.ledger.readInFlight()).locks.map((lock) => lock.instanceId).sort();
  expect(locks).toEqual(nodes.filter((node) => node !== gone).map((node) => node.instanceId).sort());
  expect((await world.ledger.readNodes([gone.instanceId])).get(gone.instanceId)?.attempts.PENDING_REBOOT ?? []).toHaveLength(0);
  expect(world.sink.lines.some((line) => line.level === 'warn' && line.fields?.['instanceId'] === gone.instanceId)).toBe(true);
  await world.close();
});

test('a node whose scope tag changed to Off after the index was built: IAM denies the call, that node is dropped (not retried), the others are sent', async () => {
  let done = false;
  const world = await startWorld({}, {
    iamScopeCondition: true,
    beforeSendCommand: (ids) => {
      if (done || ids.length < 3) return;
      done = true;
      world.fake.nodes.get(ids[2]!)!.tags[world.settings.tagKey] = 'Off';
    },
  });
  const nodes = world.nodes('PENDING_REBOOT', 3);
  const result = await world.container().triage.processRecords(nodes.map((node, index) => world.record(node, `m${index}`)));
  expect(result.batchItemFailures).toEqual([]);
  const off = nodes.find((node) => world.fake.nodes.get(node.instanceId)!.tags[world.settings.tagKey] === 'Off')!;
  for (const node of nodes) expect(world.accepted(node)).toHaveLength(node === off ? 0 : 1);
  expect(world.sink.metric('CommandDeniedNodes')).toBe(1);
  expect((await world.ledger.readInFlight()).locks.map((lock) => lock.instanceId)).not.toContain(off.instanceId);
  expect(world.fake.counters.commandsToIneligibleNodes).toBe(0);
  await world.close();
});
