/**
 * Issue 14, item 3: crash-safe bookkeeping. The triage Lambda dies after SSM accepted its
 * SendCommand and before anything else ran (the reply never comes). The send token and the attempt
 * were written on the lock BEFORE the call, so the next run attaches the command: the follow-up (by
 * the token at the start of the command's Comment) or the sweep (ListCommandInvocations by token).
 * The status event is never dropped or dead-lettered; the lock is never presumed successful.
 */
import { RECONCILE_GRACE_MINUTES } from '../../lambdas/usecases/lock-reconciliation';
import { startWorld, stopLedger } from './world';

afterAll(stopLedger);

test('killed after send, then the status event: the follow-up adopts the command, alerts, counts the attempt, starts the cooldown', async () => {
  const world = await startWorld();
  const [node] = world.nodes('PENDING_REBOOT', 1);
  const id = node!.instanceId;
  world.inject('SendCommand', { kind: 'HANG_AFTER_ACCEPT' });
  void world.container().triage.processRecords([world.record(node!, 'm1')]).catch(() => undefined); // the killed invocation
  await world.faultsFired(1);
  expect(world.accepted(node!)).toHaveLength(1);
  const before = (await world.ledger.readNodes([id])).get(id);
  expect(before?.lock?.commandId).toBeUndefined();
  expect(before?.lock?.sendToken).toBeDefined();
  expect(before?.attempts.PENDING_REBOOT).toHaveLength(1);

  // A redelivery meanwhile sends nothing.
  await world.container().triage.processRecords([world.record(node!, 'm2')]);
  expect(world.accepted(node!)).toHaveLength(1);

  world.fake.nodes.get(id)!.nextCommandTimesOut = true;
  const [ended] = world.fake.completeDueCommands(world.clock.now().getTime() + 60 * 60_000);
  await expect(world.container().followUp.handle(world.statusEvent(ended!, 'TimedOut'))).resolves.toMatchObject({ kind: 'FAILED', alerted: true });
  const after = (await world.ledger.readNodes([id])).get(id);
  expect(after?.lock).toBeUndefined();
  expect(after?.lastCommandEndedAt).toBeDefined();
  expect(after?.attempts.PENDING_REBOOT).toHaveLength(1);
  expect(world.fake.alerts.some((alert) => alert.message.includes(ended!.commandId))).toBe(true);
  await world.close();
});

test('killed after send and the status event lost: the sweep adopts the command by its token, keeps the lock while it runs, settles it from SSM once it ended', async () => {
  const world = await startWorld();
  const [node] = world.nodes('PENDING_REBOOT', 1);
  const id = node!.instanceId;
  world.inject('SendCommand', { kind: 'HANG_AFTER_ACCEPT' });
  void world.container().triage.processRecords([world.record(node!, 'm1')]).catch(() => undefined);
  await world.faultsFired(1);
  const [command] = world.accepted(node!);

  world.clock.advanceMinutes(RECONCILE_GRACE_MINUTES + 1);
  await world.container().sweep.run();
  expect(world.sink.metric('CommandsAdopted')).toBe(1);
  expect((await world.ledger.readNodes([id])).get(id)?.lock?.commandId).toBe(command!.commandId);

  // Past lockTimeoutMinutes, still running per SSM: kept (never presumed successful).
  world.clock.advanceMinutes(world.settings.lockTimeoutMinutes);
  await world.container().sweep.run();
  expect((await world.ledger.readNodes([id])).get(id)?.lock?.commandId).toBe(command!.commandId);

  // It ended (its event lost): the next sweep reads the end from SSM and settles it.
  world.fake.completeDueCommands(world.clock.now().getTime());
  await world.container().sweep.run();
  const record = (await world.ledger.readNodes([id])).get(id);
  expect(record?.lock?.commandId).not.toBe(command!.commandId);
  expect(record?.lastCommandEndedAt).toBeDefined();
  expect(world.accepted(node!)).toHaveLength(1);
  expect(world.fake.counters.duplicateCommands).toBe(0);
  await world.close();
});
