/**
 * Evaluation: read each node's state from SSM -> diagnose -> plan -> guards. Command decisions that
 * pass the guards are handed to acting (sent in groups); everything else is settled here.
 */
import { commandHistoryNeeded, deferredDetailOf, timeMayChangeDiagnosis, unchangedDetailHours } from '../../domain/detail-plan';
import { evaluateGuards, isCommandAction } from '../../domain/policy/guards';
import { planRemediation } from '../../domain/policy/plan';
import type { NodeSnapshot, RemediationAction } from '../../domain/types';
import type { NodeLedgerRecord } from '../../ports/ledger';
import type { NodeSummary } from '../../ports/reading';
import { sendCommands } from './acting';
import { alertCauses } from './alerting';
import { rerunAssociations } from './associations';
import { calendarStateOf, inFlightOf } from './batch-state';
import { syncFindings } from './findings';
import type { BatchState, EvaluationContext, EvaluationResult, NodeOutcome, PendingCommand, TriageDependencies } from './types';
import { describeError } from './types';
import { handleVerdict } from './verdicts';

// The diagnosis and its cause rules (~20 KB bundled) load with the first node evaluated, not at import:
// most events are acknowledged without evaluating a node (docs/PERFORMANCE.md, "Bundles"). Node caches
// the module, so later nodes pay one resolved promise.
const loadDiagnose = () => import('../../domain/diagnose');

export async function evaluate(
  deps: TriageDependencies,
  instanceIds: readonly string[],
  context: EvaluationContext,
  known?: Map<string, NodeLedgerRecord>,
): Promise<EvaluationResult> {
  const { reader, ledger, sink, clock } = deps;
  const ids = [...new Set(instanceIds)];
  const outcomes: NodeOutcome[] = [];
  const retry: string[] = [];
  if (ids.length === 0) return { outcomes, retry };

  const records = known ?? (await ledger.readNodes(ids));
  const failureNotesSince = await readFailureNotesSince(deps);
  const fingerprints = new Map<string, string>();
  const now = clock.now();
  const read = await reader.readSnapshots(ids, {
    needsDetail: (summary: NodeSummary) => {
      fingerprints.set(summary.instanceId, summary.fingerprint);
      const record = records.get(summary.instanceId);
      if (context.source !== 'sweep' && isUnchangedAndRecent(record, summary, now, deps.settings)) return false;
      return {
        // domain/detail-plan.ts: the history only when the ledger cannot rule out a failed patch command.
        commandHistory: commandHistoryNeeded(record, now, { operationEndTime: summary.patchState?.OperationEndTime, failureNotesSince }),
        // A clean node's Name serves a resolved notice (open causes) or an archived finding only.
        tagsIfClean: (record?.openCauses.length ?? 0) > 0 || deps.findings !== undefined,
      };
    },
  });

  const checked: string[] = [];
  for (const id of read.unknown) {
    sink.count('UnknownNodes');
    sink.warn('node unknown to SSM (deregistered or wrong ID): dropped', { instanceId: id });
    outcomes.push({ instanceId: id, kind: 'UNKNOWN' });
    // Not looked for again before the next reverify period; its ledger record expires with its TTL.
    if (records.get(id)?.lastEvaluatedAt) checked.push(id);
  }
  for (const failure of read.failed) {
    sink.count('ReadFailures');
    sink.warn('node state read failed', { instanceId: failure.instanceId, error: failure.error, retryable: failure.retryable });
    if (failure.retryable) retry.push(failure.instanceId);
    outcomes.push({ instanceId: failure.instanceId, kind: failure.retryable ? 'RETRY' : 'READ_FAILED', detail: failure.error });
  }
  for (const summary of read.skipped) {
    sink.count('UnchangedNodes');
    outcomes.push({ instanceId: summary.instanceId, kind: 'UNCHANGED' });
    checked.push(summary.instanceId);
  }
  await recordChecks(deps, checked, now);

  const batch: BatchState = { lifecycle: [] };
  const pending: PendingCommand[] = [];
  for (const snapshot of read.snapshots) {
    const record = records.get(snapshot.instanceId) ?? { instanceId: snapshot.instanceId, attempts: {}, alerts: {}, openCauses: [] };
    try {
      const outcome = await evaluateNode(deps, snapshot, record, fingerprints.get(snapshot.instanceId), batch, pending);
      if (outcome) outcomes.push(outcome);
    } catch (error) {
      sink.count('NodeFailures');
      sink.error('node processing failed: back to the queue', { instanceId: snapshot.instanceId, error: describeError(error) });
      retry.push(snapshot.instanceId);
      outcomes.push({ instanceId: snapshot.instanceId, kind: 'RETRY', detail: describeError(error) });
    }
  }

  const sent = await sendCommands(deps, pending, batch);
  outcomes.push(...sent.outcomes);
  retry.push(...sent.retry);

  if (batch.lifecycle.length > 0) await deps.lifecycle.publish(batch.lifecycle);
  if (deps.findings) await syncFindings(deps, deps.findings, { outcomes, evaluated: batch.evaluated, unknown: read.unknown, records });
  return { outcomes, retry: [...new Set(retry)] };
}

/** Bookkeeping read: unreadable counts as unknown (every history is read), counted and logged. */
async function readFailureNotesSince(deps: TriageDependencies): Promise<string | undefined> {
  if (!deps.failureNotes) return undefined;
  try {
    return await deps.failureNotes.since();
  } catch (error) {
    deps.sink.count('BookkeepingFailures');
    deps.sink.warn('could not read since when failed patch commands are noted: command histories are read', { error: describeError(error) });
    return undefined;
  }
}

/** Decides one node. Command decisions that pass the guards are queued in `pending` (sent in groups). */
async function evaluateNode(
  deps: TriageDependencies,
  snapshot: NodeSnapshot,
  record: NodeLedgerRecord,
  summaryFingerprint: string | undefined,
  batch: BatchState,
  pending: PendingCommand[],
  readAgain = false,
): Promise<NodeOutcome | null> {
  const { settings, ledger, sink, clock } = deps;
  const now = clock.now();
  const { diagnose, hasFailedPatchCommand } = await loadDiagnose();
  const diagnosis = diagnose(snapshot, settings);
  const decision = planRemediation(diagnosis, snapshot.tags ?? {}, settings);
  const deferred = deferredDetailOf(snapshot);
  (batch.evaluated ??= new Map()).set(snapshot.instanceId, { diagnosis, decision });
  if (!readAgain) sink.count('NodesEvaluated');
  sink.info('node evaluated', {
    instanceId: snapshot.instanceId,
    causes: diagnosis.causes.map((cause) => cause.code),
    action: decision.action,
    dryRun: decision.dryRun,
    reason: decision.reason,
  });
  /** Reads what was deferred and decides again: diagnosis, plan, guards. */
  async function completeAndDecideAgain(): Promise<NodeOutcome | null> {
    if (!deps.reader.completeSnapshot) throw new Error(`the reader deferred ${deferred.join(', ')} and cannot read it`);
    sink.count('DeferredDetailRead');
    return evaluateNode(deps, await deps.reader.completeSnapshot(snapshot), record, summaryFingerprint, batch, pending, true);
  }
  // A history read (not deferred) tells the ledger whether the next read may skip it.
  const historyRead = snapshot.commandInvocations !== undefined && !deferred.includes('commandInvocations');
  const evaluation = {
    instanceId: snapshot.instanceId,
    at: now,
    ...(summaryFingerprint ? { summaryFingerprint } : {}),
    ...(historyRead ? { commandHistoryClear: !hasFailedPatchCommand(snapshot) } : {}),
  };
  const id = snapshot.instanceId;

  // The evaluation (summary fingerprint) is recorded only after the node's side effects succeeded:
  // a node that failed half-way must not be skipped as "unchanged" when it comes back.
  if (diagnosis.compliant) {
    const resolved = await ledger.takeOpenCauses(id);
    if (resolved.length > 0) {
      try {
        await deps.notifier.notifyResolved({
          instanceId: id,
          ...(diagnosis.nodeName ? { nodeName: diagnosis.nodeName } : {}),
          resolvedCauses: resolved,
          capturedAt: diagnosis.capturedAt,
          ...(snapshot.region ? { region: snapshot.region } : {}),
        });
      } catch (error) {
        await ledger.markOpenCauses(id, resolved);
        throw error;
      }
    }
    await ledger.recordEvaluation({ ...evaluation, deferral: null });
    return { instanceId: id, kind: 'COMPLIANT', ...(resolved.length > 0 ? { detail: `resolved ${resolved.join(', ')}` } : {}) };
  }
  if (decision.action === 'NONE') {
    await ledger.recordEvaluation({ ...evaluation, deferral: null });
    return { instanceId: id, kind: 'OPTED_OUT', detail: decision.reason };
  }
  if (decision.action === 'NOTIFY') {
    const sent = await alertCauses(deps, diagnosis, decision, { kind: 'NOTIFIED' }, diagnosis.causes.map((cause) => cause.code));
    await ledger.recordEvaluation({ ...evaluation, deferral: null });
    return { instanceId: id, kind: 'NOTIFIED', detail: sent ? 'alert sent' : 'alert already sent' };
  }
  if (decision.dryRun && actsOnNodes(decision.action) && deferred.length > 0) return completeAndDecideAgain();
  if (decision.dryRun) {
    const sent = await alertCauses(deps, diagnosis, decision, { kind: 'DRY_RUN' }, diagnosis.causes.map((cause) => cause.code));
    await ledger.recordEvaluation({ ...evaluation, deferral: null });
    sink.count('DryRunDecisions');
    return { instanceId: id, kind: 'DRY_RUN', detail: `${decision.reason}${sent ? '' : ' (alert already sent)'}` };
  }

  // Commands and association re-runs both run documents on nodes: caps and calendar apply to both.
  const acts = actsOnNodes(decision.action);
  const verdict = evaluateGuards({
    decision,
    ledger: record,
    inFlight: acts ? await inFlightOf(deps, batch) : { remediations: 0, reboots: 0 },
    calendar: acts ? await calendarStateOf(deps, batch, now) : { state: 'OPEN' },
    node: nodeAgeFacts(snapshot),
    now,
    settings,
  });
  // Nothing acts on a partial read (domain/detail-plan.ts). A decision the guards hold back is not an
  // action: no read for it (a deferral notice may then name the causes of the partial read).
  if (verdict.kind === 'PROCEED' && deferred.length > 0) return completeAndDecideAgain();
  if (verdict.kind !== 'PROCEED') {
    return handleVerdict(deps, snapshot, diagnosis, decision, verdict, evaluation, batch, record.deferral);
  }

  if (decision.action === 'RERUN_ASSOCIATION') {
    return rerunAssociations(deps, snapshot, diagnosis, decision, evaluation, batch, record.deferral);
  }
  if (isCommandAction(decision.action)) {
    pending.push({ snapshot, previousDeferral: record.deferral, evaluation, diagnosis, decision: { ...decision, action: decision.action } });
    return null;
  }
  throw new Error(`unhandled decision ${decision.action}`);
}

/** Commands and association re-runs run documents on nodes. */
function actsOnNodes(action: RemediationAction): boolean {
  return isCommandAction(action) || action === 'RERUN_ASSOCIATION';
}

/** Bookkeeping only: a failure is counted and logged, never retried (the node is simply read again sooner). */
async function recordChecks(deps: TriageDependencies, instanceIds: readonly string[], at: Date): Promise<void> {
  const results = await Promise.allSettled(instanceIds.map((id) => deps.ledger.recordCheck(id, at)));
  const failed = results.filter((result) => result.status === 'rejected');
  if (failed.length > 0) {
    deps.sink.count('BookkeepingFailures', failed.length);
    deps.sink.warn('recording unchanged nodes failed', { failed: failed.length, error: describeError((failed[0] as PromiseRejectedResult).reason) });
  }
}

/** Age signals of a node for the `nodeTooYoung` guard. */
export function nodeAgeFacts(snapshot: NodeSnapshot): { registrationDate?: string; earliestActivityAt?: string } {
  const activity = [
    snapshot.patchState?.OperationStartTime,
    ...(snapshot.associationStatuses ?? []).map((status) => status.ExecutionDate),
    ...(snapshot.commandInvocations ?? []).map((invocation) => invocation.RequestedDateTime),
  ]
    .filter((value): value is string => !!value && !Number.isNaN(Date.parse(value)))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  const registrationDate = snapshot.instanceInformation?.RegistrationDate;
  return { ...(registrationDate ? { registrationDate } : {}), ...(activity[0] ? { earliestActivityAt: activity[0] } : {}) };
}

/**
 * Unchanged summary, evaluated in detail less than `unchangedDetailHours` ago (domain/detail-plan.ts),
 * nothing time-dependent turned since, no deferral pending, no command ended since: the last decision
 * still holds, so the per-node detail calls are skipped.
 */
function isUnchangedAndRecent(record: NodeLedgerRecord | undefined, summary: NodeSummary, now: Date, settings: TriageDependencies['settings']): boolean {
  if (!record?.summaryFingerprint || !record.lastEvaluatedAt || record.deferral) return false;
  if (record.lastCommandEndedAt && record.lastCommandEndedAt >= record.lastEvaluatedAt) return false;
  if (record.summaryFingerprint !== summary.fingerprint) return false;
  if (timeMayChangeDiagnosis(summary, { lastEvaluatedAt: record.lastEvaluatedAt, openCauses: record.openCauses }, now, settings)) return false;
  return now.getTime() - Date.parse(record.lastEvaluatedAt) < unchangedDetailHours(settings) * 3_600_000;
}
