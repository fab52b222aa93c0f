/** Acting and locking: one ledger lock per node, one RunPatchBaseline per group of up to 50 locked nodes. */
import { mayReboot } from '../../domain/policy/guards';
import { SEND_COMMAND_MAX_INSTANCES } from '../../domain/types';
import type { CommandLock } from '../../ports';
import { alertRemainingCauses, lifecycleEvent } from './alerting';
import { inFlightOf } from './batch-state';
import type { BatchState, EvaluationResult, NodeOutcome, PendingCommand, TriageDependencies } from './types';
import { describeError } from './types';
import { handleVerdict } from './verdicts';

/** Groups command decisions by (action, causes), takes each node's lock, sends one command per 50 nodes. */
export async function sendCommands(deps: TriageDependencies, pending: readonly PendingCommand[], batch: BatchState): Promise<EvaluationResult> {
  const outcomes: NodeOutcome[] = [];
  const retry: string[] = [];
  const groups = new Map<string, PendingCommand[]>();
  for (const item of pending) {
    const key = `${item.decision.action}|${[...item.decision.causes].sort().join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  for (const group of groups.values()) {
    const locked: Array<{ item: PendingCommand; lock: CommandLock }> = [];
    for (const item of group) {
      try {
        const result = await acquire(deps, item, batch);
        if (result.lock) locked.push({ item, lock: result.lock });
        else outcomes.push(result.outcome);
      } catch (error) {
        deps.sink.error('lock acquisition failed: back to the queue', { instanceId: item.snapshot.instanceId, error: describeError(error) });
        retry.push(item.snapshot.instanceId);
        outcomes.push({ instanceId: item.snapshot.instanceId, kind: 'RETRY', detail: describeError(error) });
      }
    }
    for (let start = 0; start < locked.length; start += SEND_COMMAND_MAX_INSTANCES) {
      const chunk = locked.slice(start, start + SEND_COMMAND_MAX_INSTANCES);
      const sent = await sendChunk(deps, chunk, batch);
      outcomes.push(...sent.outcomes);
      retry.push(...sent.retry);
    }
  }
  return { outcomes, retry };
}

async function acquire(deps: TriageDependencies, item: PendingCommand, batch: BatchState): Promise<{ lock?: CommandLock; outcome: NodeOutcome }> {
  const { ledger, settings, clock } = deps;
  const reboot = mayReboot(item.decision, settings);
  const result = await ledger.acquireLock({
    instanceId: item.snapshot.instanceId,
    action: item.decision.action,
    causes: item.decision.causes,
    reboot,
    now: clock.now(),
    maxRemediationsInFlight: settings.maxRemediationsInFlight,
    maxRebootsInFlight: settings.maxRebootsInFlight,
  });
  if (result.acquired) {
    const inFlight = await inFlightOf(deps, batch);
    inFlight.remediations += 1;
    if (reboot) inFlight.reboots += 1;
    return { lock: result.lock, outcome: { instanceId: item.snapshot.instanceId, kind: 'COMMAND_SENT' } };
  }
  if (result.reason === 'IN_FLIGHT') {
    // Another handler won the race for this node: its command covers this event.
    deps.sink.count('SkippedInFlight');
    return { outcome: { instanceId: item.snapshot.instanceId, kind: 'SKIPPED', detail: `command in flight (${result.holder?.commandId ?? 'being sent'})` } };
  }
  const guard = result.reason;
  const outcome = await handleVerdict(
    deps,
    item.snapshot,
    item.diagnosis,
    item.decision,
    { kind: 'DEFER', guard, reason: guard === 'REBOOT_CAP' ? `reboot cap ${settings.maxRebootsInFlight} reached` : `remediation cap ${settings.maxRemediationsInFlight} reached` },
    item.evaluation,
    batch,
    item.previousDeferral,
  );
  return { outcome };
}

async function sendChunk(deps: TriageDependencies, chunk: ReadonlyArray<{ item: PendingCommand; lock: CommandLock }>, batch: BatchState): Promise<EvaluationResult> {
  const { remediator, ledger, sink, clock, settings } = deps;
  const first = chunk[0];
  if (!first) return { outcomes: [], retry: [] };
  const instanceIds = chunk.map((entry) => entry.lock.instanceId);
  let result;
  try {
    result = await remediator.sendPatchCommand({ instanceIds, action: first.item.decision.action, causes: first.item.decision.causes });
  } catch (error) {
    // Nothing was sent: give the slots back so the retry (or another node) can use them.
    await Promise.all(chunk.map((entry) => ledger.releaseLock(entry.lock, { commandEnded: false, at: clock.now() })));
    sink.count('CommandFailures');
    sink.error('SendCommand failed: locks released, nodes back to the queue', { instanceIds, error: describeError(error) });
    return { outcomes: instanceIds.map((instanceId) => ({ instanceId, kind: 'RETRY' as const, detail: describeError(error) })), retry: instanceIds };
  }
  if (!result.commandId) {
    await Promise.all(chunk.map((entry) => ledger.releaseLock(entry.lock, { commandEnded: false, at: clock.now() })));
    // InvalidInstanceId: deregistered or offline since the read. Not retried: the next event or sweep re-reads it.
    sink.count('UnknownNodes', result.rejectedInstanceIds.length);
    return { outcomes: instanceIds.map((instanceId) => ({ instanceId, kind: 'UNKNOWN' as const, detail: result.error ?? 'command rejected' })), retry: [] };
  }
  const commandId = result.commandId;
  const now = clock.now();
  const outcomes: NodeOutcome[] = [];
  for (const { item, lock } of chunk) {
    batch.lifecycle.push(lifecycleEvent(deps, 'Remediation Started', item.diagnosis, item.decision, item.decision.reason, now, commandId));
    outcomes.push({ instanceId: lock.instanceId, kind: 'COMMAND_SENT', commandId, detail: item.decision.reason });
    try {
      await ledger.attachCommand(lock, commandId);
      await ledger.recordAttempts(lock.instanceId, item.decision.causes, now, settings.attemptWindowHours);
      await ledger.recordEvaluation({ ...item.evaluation, deferral: null });
      await alertRemainingCauses(deps, item.diagnosis, item.decision, { kind: 'COMMAND_SENT', commandId });
    } catch (error) {
      // The command is out: a retry must not resend it (the lock would skip it anyway). A lock left
      // without its command ID is released by the sweep after lockTimeoutMinutes.
      sink.count('BookkeepingFailures');
      sink.error('bookkeeping after SendCommand failed', { instanceId: lock.instanceId, commandId, error: describeError(error) });
    }
  }
  return { outcomes, retry: [] };
}
