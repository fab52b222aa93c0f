/**
 * Acting and locking: one ledger lock per node, the node's guards decided again on a fresh read
 * after the lock is taken, then one RunPatchBaseline per group of up to 50 locked nodes (sending.ts).
 */
import { mayReboot, recheckAfterLock } from '../../domain/policy/guards';
import { SEND_COMMAND_MAX_INSTANCES } from '../../domain/types';
import type { CommandLock } from '../../ports/ledger';
import { inFlightOf } from './batch-state';
import { sendChunk } from './sending';
import type { BatchState, EvaluationResult, LockedCommand, NodeOutcome, PendingCommand, TriageDependencies } from './types';
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
    const locked: LockedCommand[] = [];
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

/**
 * Takes the node's lock (the write checks the slot and both in-flight caps atomically), then
 * re-reads the node and decides its own guards again (cooldown, attempt cap) on that fresh state: a
 * handler whose first read predates another handler's command that started, ended and was counted
 * meanwhile gives the lock back instead of sending inside the cooldown or past the cap. The ledger
 * writes a command's end BEFORE freeing its slot, so the state read after the lock is never older
 * than the slot it took over.
 */
async function acquire(deps: TriageDependencies, item: PendingCommand, batch: BatchState): Promise<{ lock?: CommandLock; outcome: NodeOutcome }> {
  const { ledger, settings, clock } = deps;
  const id = item.snapshot.instanceId;
  const reboot = mayReboot(item.decision, settings);
  const result = await ledger.acquireLock({
    instanceId: id,
    action: item.decision.action,
    causes: item.decision.causes,
    reboot,
    now: clock.now(),
    maxRemediationsInFlight: settings.maxRemediationsInFlight,
    maxRebootsInFlight: settings.maxRebootsInFlight,
  });
  if (result.acquired) {
    const fresh = (await ledger.readNodes([id])).get(id) ?? { instanceId: id, attempts: {}, alerts: {}, openCauses: [] };
    const verdict = recheckAfterLock({ decision: item.decision, ledger: fresh, now: clock.now(), settings });
    if (verdict.kind !== 'PROCEED') {
      await ledger.releaseLock(result.lock, { commandEnded: false, at: clock.now() });
      deps.sink.count('GuardsChangedAfterLock');
      deps.sink.info('guards re-decided after the lock: no command', { instanceId: id, verdict: verdict.kind, reason: verdict.reason });
      return { outcome: await handleVerdict(deps, item.snapshot, item.diagnosis, item.decision, verdict, item.evaluation, batch, item.previousDeferral) };
    }
    const inFlight = await inFlightOf(deps, batch);
    inFlight.remediations += 1;
    if (reboot) inFlight.reboots += 1;
    return { lock: result.lock, outcome: { instanceId: id, kind: 'COMMAND_SENT' } };
  }
  if (result.reason === 'IN_FLIGHT') {
    // Another handler won the race for this node: its command covers this event.
    deps.sink.count('SkippedInFlight');
    return { outcome: { instanceId: id, kind: 'SKIPPED', detail: `command in flight (${result.holder?.commandId ?? 'being sent'})` } };
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
