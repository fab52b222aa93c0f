/** What happens to a node the guards hold back: skipped, exhausted (alert once) or deferred (recorded, maybe alerted). */
import { deferralNeedsAlert } from '../../domain/alerts/deferral';
import { alertFingerprint } from '../../domain/alerts/fingerprint';
import type { ActionOutcome } from '../../domain/alerts/types';
import type { GuardVerdict } from '../../domain/policy/guards';
import type { Decision, Diagnosis, NodeSnapshot } from '../../domain/types';
import type { NodeDeferral } from '../../ports/ledger';
import { lifecycleEvent, sendClaimed } from './alerting';
import type { BatchState, NodeEvaluation, NodeOutcome, TriageDependencies } from './types';

export async function handleVerdict(
  deps: TriageDependencies,
  snapshot: NodeSnapshot,
  diagnosis: Diagnosis,
  decision: Decision,
  verdict: Exclude<GuardVerdict, { kind: 'PROCEED' }>,
  evaluation: NodeEvaluation,
  batch: BatchState,
  previousDeferral?: NodeDeferral,
): Promise<NodeOutcome> {
  const { ledger, sink } = deps;
  const id = snapshot.instanceId;
  if (verdict.kind === 'SKIP') {
    await ledger.recordEvaluation(evaluation);
    sink.count('SkippedInFlight');
    return { instanceId: id, kind: 'SKIPPED', detail: verdict.reason };
  }
  if (verdict.kind === 'EXHAUSTED') {
    sink.count('Exhausted');
    const outcome: ActionOutcome = { kind: 'EXHAUSTED', attempts: verdict.attempts, windowHours: verdict.windowHours, reason: verdict.reason };
    const fingerprint = alertFingerprint(id, 'REMEDIATION_EXHAUSTED', [...verdict.causes].sort());
    if (await sendClaimed(deps, id, 'REMEDIATION_EXHAUSTED', fingerprint, () => deps.notifier.notifyExhausted({ diagnosis, decision, outcome }))) {
      await ledger.markOpenCauses(id, diagnosis.causes.map((cause) => cause.code));
      batch.lifecycle.push(lifecycleEvent(deps, 'Remediation Exhausted', diagnosis, decision, verdict.reason, deps.clock.now()));
    }
    await ledger.recordEvaluation({ ...evaluation, deferral: null });
    return { instanceId: id, kind: 'EXHAUSTED', detail: verdict.reason };
  }
  // DEFER
  await ledger.recordEvaluation({ ...evaluation, deferral: { guard: verdict.guard, reason: verdict.reason } });
  sink.count('Deferred');
  sink.info('remediation deferred', { instanceId: id, guard: verdict.guard, reason: verdict.reason });
  if (deferralNeedsAlert(verdict.guard)) {
    const outcome: ActionOutcome = { kind: 'DEFERRED', guard: verdict.guard, reason: verdict.reason };
    const fingerprint = alertFingerprint(id, `DEFERRED_${verdict.guard}`, [...decision.causes].sort());
    const sent = await sendClaimed(deps, id, `DEFERRED_${verdict.guard}`, fingerprint, () => deps.notifier.notifyDeferred({ diagnosis, decision, outcome }));
    if (sent) await ledger.markOpenCauses(id, diagnosis.causes.map((cause) => cause.code));
  }
  // Subscribers hear of every deferral once, whatever its guard (only a CLOSED calendar pages on-call):
  // the first deferral of a node, or a change of the guard that holds it back.
  if (previousDeferral?.guard !== verdict.guard) {
    batch.lifecycle.push(lifecycleEvent(deps, 'Remediation Deferred', diagnosis, decision, verdict.reason, deps.clock.now()));
  }
  return { instanceId: id, kind: 'DEFERRED', detail: `${verdict.guard}: ${verdict.reason}` };
}
