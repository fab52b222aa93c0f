/**
 * Association re-runs under the same guards as commands: the guards (in flight, attempt cap,
 * cooldown, calendar, remediation cap) ran in evaluation; here the node's lock is taken (two
 * handlers -> one call), the node's own guards are decided again on a fresh read, the targets are
 * checked (StartAssociationsOnce runs the association on EVERY target: never when a target may be a
 * node not in scope `auto`, alert instead), and StartAssociationsOnce runs at most 10 IDs a call.
 * The lock is held for the call only; its release starts the cooldown. An unanswered call is taken
 * as started (not repeated): at most one re-run per lock.
 */
import { associationRerunScope } from '../../domain/policy/association-scope';
import { recheckAfterLock } from '../../domain/policy/guards';
import { START_ASSOCIATIONS_MAX_IDS, type Decision, type Diagnosis, type NodeSnapshot } from '../../domain/types';
import type { NodeDeferral } from '../../ports/ledger';
import { alertCauses, alertRemainingCauses, lifecycleEvent } from './alerting';
import { inFlightOf } from './batch-state';
import type { BatchState, NodeEvaluation, NodeOutcome, TriageDependencies } from './types';
import { handleVerdict } from './verdicts';

export async function rerunAssociations(
  deps: TriageDependencies,
  snapshot: NodeSnapshot,
  diagnosis: Diagnosis,
  decision: Decision,
  evaluation: NodeEvaluation,
  batch: BatchState,
  previousDeferral?: NodeDeferral,
): Promise<NodeOutcome> {
  const { ledger, settings, clock, sink, remediator } = deps;
  const id = snapshot.instanceId;
  const associationIds = decision.associationIds ?? [];

  const scope = associationRerunScope(id, await remediator.associationTargets(associationIds), settings);
  if (!scope.allowed) {
    sink.count('AssociationRerunsRefused');
    sink.warn('association re-run refused: its targets may include nodes not in scope auto; alerting instead', { instanceId: id, reason: scope.reason });
    const notify: Decision = { ...decision, action: 'NOTIFY', reason: `${decision.reason}; not re-run: ${scope.reason}` };
    const sent = await alertCauses(deps, diagnosis, notify, { kind: 'NOTIFIED' }, diagnosis.causes.map((cause) => cause.code));
    await ledger.recordEvaluation({ ...evaluation, deferral: null });
    return { instanceId: id, kind: 'NOTIFIED', detail: `${scope.reason}${sent ? '' : ' (alert already sent)'}` };
  }

  const lock = await ledger.acquireLock({
    instanceId: id,
    action: 'RERUN_ASSOCIATION',
    causes: decision.causes,
    reboot: false,
    now: clock.now(),
    maxRemediationsInFlight: settings.maxRemediationsInFlight,
    maxRebootsInFlight: settings.maxRebootsInFlight,
  });
  if (!lock.acquired) {
    if (lock.reason === 'IN_FLIGHT') {
      sink.count('SkippedInFlight');
      return { instanceId: id, kind: 'SKIPPED', detail: `command in flight (${lock.holder?.commandId ?? 'being sent'})` };
    }
    return handleVerdict(deps, snapshot, diagnosis, decision, { kind: 'DEFER', guard: lock.reason, reason: `remediation cap ${settings.maxRemediationsInFlight} reached` }, evaluation, batch, previousDeferral);
  }
  const fresh = (await ledger.readNodes([id])).get(id) ?? { instanceId: id, attempts: {}, alerts: {}, openCauses: [] };
  const verdict = recheckAfterLock({ decision, ledger: fresh, now: clock.now(), settings });
  if (verdict.kind !== 'PROCEED') {
    await ledger.releaseLock(lock.lock, { commandEnded: false, at: clock.now() });
    sink.count('GuardsChangedAfterLock');
    return handleVerdict(deps, snapshot, diagnosis, decision, verdict, evaluation, batch, previousDeferral);
  }

  const at = clock.now();
  let started = false;
  try {
    if (!(await ledger.prepareSend(lock.lock, `associations-${at.getTime()}`, at, settings.attemptWindowHours))) {
      return { instanceId: id, kind: 'SKIPPED', detail: 'lock lost before the re-run' };
    }
    const inFlight = await inFlightOf(deps, batch);
    inFlight.remediations += 1;
    for (let start = 0; start < associationIds.length; start += START_ASSOCIATIONS_MAX_IDS) {
      const result = await remediator.rerunAssociations(associationIds.slice(start, start + START_ASSOCIATIONS_MAX_IDS));
      if (result.outcome === 'REJECTED') {
        if (start === 0) {
          // Nothing started: no cooldown, the attempt taken back; the next event or sweep decides again.
          await ledger.forgetAttempts(id, decision.causes, at.toISOString());
          throw new Error(`StartAssociationsOnce refused: ${result.error}`);
        }
        sink.warn('StartAssociationsOnce refused for a later group of IDs', { instanceId: id, error: result.error });
      } else if (result.outcome === 'AMBIGUOUS') {
        sink.count('AssociationRerunOutcomeUnknown');
        sink.warn('StartAssociationsOnce unanswered: taken as started, not repeated', { instanceId: id, error: result.error });
      }
      started = true;
    }
  } finally {
    await ledger.releaseLock(lock.lock, { commandEnded: started, at: clock.now() });
  }
  batch.lifecycle.push(lifecycleEvent(deps, 'Remediation Started', diagnosis, decision, `re-ran association(s) ${associationIds.join(', ')}`, at));
  await alertRemainingCauses(deps, diagnosis, decision, { kind: 'ASSOCIATIONS_STARTED', associationIds });
  await ledger.recordEvaluation({ ...evaluation, deferral: null });
  return { instanceId: id, kind: 'ASSOCIATIONS_STARTED', detail: associationIds.join(', ') };
}
