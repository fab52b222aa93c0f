/**
 * Issue 14, item 5: association re-runs under the same guards as commands. Two handlers on the
 * same node start the association once (the node's lock); an association whose targets may include
 * nodes not in scope `auto` is never started (StartAssociationsOnce runs on every target): alert.
 */
import { startWorld, stopLedger } from './world';

afterAll(stopLedger);

function failedAssociations(world: Awaited<ReturnType<typeof startWorld>>, instanceId: string): string[] {
  const statuses = world.fake.nodes.get(instanceId)!.snapshot.associationStatuses ?? [];
  return statuses.filter((status) => status.Status === 'Failed').map((status) => status.AssociationId!);
}

test('two concurrent handlers re-run an association targeting scope auto once', async () => {
  const world = await startWorld({ rerunFailedAssociations: true });
  const [node] = world.nodes('ASSOCIATION_FAILED', 1);
  const ids = failedAssociations(world, node!.instanceId);
  expect(ids.length).toBeGreaterThan(0);
  for (const id of ids) world.fake.associationTargets.set(id, [{ Key: `tag:${world.settings.tagKey}`, Values: ['auto'] }]);

  await Promise.all([world.container().triage.processRecords([world.record(node!, 'a')]), world.container().triage.processRecords([world.record(node!, 'b')])]);
  for (const id of ids) expect(world.fake.associationRuns.get(id)).toBe(1);
  const record = (await world.ledger.readNodes([node!.instanceId])).get(node!.instanceId);
  expect(record?.lock).toBeUndefined();
  expect(record?.lastCommandEndedAt).toBeDefined(); // cooldown started
  // Inside the cooldown: nothing again.
  await world.container().triage.processRecords([world.record(node!, 'c')]);
  for (const id of ids) expect(world.fake.associationRuns.get(id)).toBe(1);
  await world.close();
});

test('an association that also targets other nodes is not re-run: on-call is alerted instead', async () => {
  const world = await startWorld({ rerunFailedAssociations: true });
  const [node] = world.nodes('ASSOCIATION_FAILED', 1);
  const ids = failedAssociations(world, node!.instanceId);
  for (const id of ids) world.fake.associationTargets.set(id, [{ Key: 'InstanceIds', Values: [node!.instanceId, 'i-0aaaaaaaaaaaaaaaa'] }]);

  await world.container().triage.processRecords([world.record(node!, 'a')]);
  expect([...world.fake.associationRuns.values()]).toEqual([]);
  expect(world.sink.metric('AssociationRerunsRefused')).toBe(1);
  expect(world.fake.alerts.some((alert) => alert.message.includes(node!.instanceId))).toBe(true);
  await world.close();
});
