/**
 * Triage: SQS records (or the sweep's node list) -> read each node's state from SSM -> diagnose ->
 * plan -> guards -> act (one RunPatchBaseline per group of nodes sharing a decision) -> alert.
 * Everything outside is a port handed in through the constructor.
 *
 * Never lose a node: a node whose read failed retryably or whose processing threw goes back to the
 * queue (batch item failure for every message that named it). Malformed records are acknowledged and
 * counted, never retried (they would poison the queue).
 */
import { deferralNeedsAlert } from '../domain/alerts/compose';
import { alertFingerprint, causeFingerprint } from '../domain/alerts/fingerprint';
import type { ActionOutcome, AlertEnvironment, DeferralGuard } from '../domain/alerts/types';
import { diagnose } from '../domain/diagnose';
import { coalesceByNode, parseIntakeRecord, type CoalescedNode, type SqsRecordLike } from '../domain/intake';
import type { LifecycleDetailType, LifecycleEvent } from '../domain/lifecycle';
import { ACCOUNT_DEFERRAL_GUARDS, blockedAccountGuards, evaluateGuards, isCommandAction, mayReboot, type GuardVerdict } from '../domain/policy/guards';
import { planRemediation } from '../domain/policy/plan';
import type { AutopilotSettings } from '../domain/settings';
import { SEND_COMMAND_MAX_INSTANCES, type CauseCode, type Decision, type Diagnosis, type NodeSnapshot } from '../domain/types';
import type {
  AlertNotifier,
  CalendarReader,
  Clock,
  CommandLock,
  LifecyclePublisher,
  NodeDeferral,
  NodeLedgerRecord,
  NodeStateReader,
  NodeSummary,
  OperationalSink,
  RemediationLedger,
  Remediator,
} from '../ports';

/**
 * Events that cannot change compliance (software inventory, hash-only association compliance: ~96 of
 * a node's ~98 events a day) are acknowledged without an SSM read when the node was read less than
 * this many `reverifyHours` ago. Compliance changes arrive as patch inventory, PutComplianceItems with
 * items or native compliance-change events, which always re-read. The sweep re-reads every node each
 * `reverifyHours` in chunks of 50 (cheaper than one read per event); this bound only matters when the
 * sweep falls behind.
 */
export const QUIET_EVENT_REVERIFY_FACTOR = 2;
/** A node whose summary did not change is read in detail again after this many `reverifyHours`. */
export const UNCHANGED_DETAIL_REVERIFY_FACTOR = 2;

export interface TriageDependencies {
  reader: NodeStateReader;
  ledger: RemediationLedger;
  remediator: Remediator;
  calendar: CalendarReader;
  notifier: AlertNotifier;
  lifecycle: LifecyclePublisher;
  clock: Clock;
  sink: OperationalSink;
  settings: AutopilotSettings;
  ownRoleNames: readonly string[];
  environment?: AlertEnvironment;
}

export interface EvaluationContext {
  /**
   * `event` and `reverify` (the sweep's periodic re-read): skip detail reads for unchanged, recently
   * evaluated nodes. `sweep` (deferred nodes, stale locks, commands that ended): read everything.
   */
  source: 'event' | 'sweep' | 'reverify';
}

export type NodeOutcomeKind =
  | 'COMPLIANT'
  | 'OPTED_OUT'
  | 'UNCHANGED'
  | 'NOTIFIED'
  | 'DRY_RUN'
  | 'COMMAND_SENT'
  | 'ASSOCIATIONS_STARTED'
  | 'SKIPPED'
  | 'DEFERRED'
  | 'EXHAUSTED'
  | 'UNKNOWN'
  | 'READ_FAILED'
  | 'RETRY';

export interface NodeOutcome {
  instanceId: string;
  kind: NodeOutcomeKind;
  detail?: string;
  commandId?: string;
}

export interface EvaluationResult {
  outcomes: NodeOutcome[];
  /** Nodes to try again later (batch item failures). */
  retry: string[];
}

interface PendingCommand {
  snapshot: NodeSnapshot;
  /** The deferral the ledger held before this evaluation (a new or changed one is announced once). */
  previousDeferral?: NodeDeferral;
  /** Recorded once the command is out (a failed send leaves the node to be fully re-read on retry). */
  evaluation: { instanceId: string; at: Date; summaryFingerprint?: string };
  diagnosis: Diagnosis;
  decision: Decision & { action: 'INSTALL_PATCHES' | 'REBOOT_NODE' };
}

/** What one batch knows about the account: read at most once, updated as locks are taken. */
interface BatchState {
  inFlight?: { remediations: number; reboots: number };
  calendar?: { state: 'OPEN' | 'CLOSED'; closedBy?: string[] };
  lifecycle: LifecycleEvent[];
}

export class TriageUseCase {
  constructor(private readonly deps: TriageDependencies) {}

  async processRecords(records: readonly SqsRecordLike[]): Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }> {
    const { sink } = this.deps;
    const results = records.map((record) => parseIntakeRecord(record, { ownRoleNames: this.deps.ownRoleNames }));
    for (const result of results) {
      if (result.kind === 'ignored') {
        sink.count('IgnoredEvents');
        sink.debug('event ignored', { messageId: result.messageId, eventId: result.eventId, reason: result.reason });
      } else if (result.kind === 'malformed') {
        // Acknowledged, not retried: a record that cannot be parsed now never will be.
        sink.count('MalformedEvents');
        sink.warn('malformed event dropped', { messageId: result.messageId, eventId: result.eventId ?? null, error: result.error });
      }
    }
    const nodes = coalesceByNode(results);
    if (nodes.length === 0) return { batchItemFailures: [] };

    let retry: Set<string>;
    try {
      const records = await this.deps.ledger.readNodes(nodes.map((node) => node.instanceId));
      const now = this.deps.clock.now();
      const { reverifyHours } = this.deps.settings;
      const blocked = await this.blockedGuardsFor(nodes, records, now);
      const quiet = nodes.filter((node) => isQuietRepeat(node, records.get(node.instanceId), now, reverifyHours, blocked));
      if (quiet.length > 0) {
        // Acknowledged without an SSM read: nothing in these events can have changed the node's compliance.
        sink.count('QuietNodesSkipped', quiet.length);
        const stillDeferred = quiet.filter((node) => records.get(node.instanceId)?.deferral).length;
        if (stillDeferred > 0) sink.count('DeferralsStillBlocked', stillDeferred);
        sink.debug('events that cannot change compliance: no re-read', { nodes: quiet.map((node) => node.instanceId) });
      }
      const quietIds = new Set(quiet.map((node) => node.instanceId));
      const toEvaluate = nodes.filter((node) => !quietIds.has(node.instanceId)).map((node) => node.instanceId);
      retry = new Set((await this.evaluate(toEvaluate, { source: 'event' }, records)).retry);
    } catch (error) {
      sink.count('BatchFailures');
      sink.error('batch evaluation failed: every node goes back to the queue', { error: describeError(error), nodes: nodes.length });
      retry = new Set(nodes.map((node) => node.instanceId));
    }
    const batchItemFailures = nodes.filter((node) => retry.has(node.instanceId)).flatMap((node) => node.messageIds.map((itemIdentifier) => ({ itemIdentifier })));
    return { batchItemFailures };
  }

  async evaluateNodes(instanceIds: readonly string[], context: EvaluationContext): Promise<EvaluationResult> {
    return this.evaluate(instanceIds, context);
  }

  private async evaluate(instanceIds: readonly string[], context: EvaluationContext, known?: Map<string, NodeLedgerRecord>): Promise<EvaluationResult> {
    const { reader, ledger, sink, clock } = this.deps;
    const ids = [...new Set(instanceIds)];
    const outcomes: NodeOutcome[] = [];
    const retry: string[] = [];
    if (ids.length === 0) return { outcomes, retry };

    const records = known ?? (await ledger.readNodes(ids));
    const fingerprints = new Map<string, string>();
    const now = clock.now();
    const read = await reader.readSnapshots(ids, {
      needsDetail: (summary: NodeSummary) => {
        fingerprints.set(summary.instanceId, summary.fingerprint);
        return context.source === 'sweep' || !isUnchangedAndRecent(records.get(summary.instanceId), summary, now, this.deps.settings.reverifyHours);
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
    await this.recordChecks(checked, now);

    const batch: BatchState = { lifecycle: [] };
    const pending: PendingCommand[] = [];
    for (const snapshot of read.snapshots) {
      const record = records.get(snapshot.instanceId) ?? { instanceId: snapshot.instanceId, attempts: {}, alerts: {}, openCauses: [] };
      try {
        const outcome = await this.evaluateNode(snapshot, record, fingerprints.get(snapshot.instanceId), batch, pending);
        if (outcome) outcomes.push(outcome);
      } catch (error) {
        sink.count('NodeFailures');
        sink.error('node processing failed: back to the queue', { instanceId: snapshot.instanceId, error: describeError(error) });
        retry.push(snapshot.instanceId);
        outcomes.push({ instanceId: snapshot.instanceId, kind: 'RETRY', detail: describeError(error) });
      }
    }

    const sent = await this.sendCommands(pending, batch);
    outcomes.push(...sent.outcomes);
    retry.push(...sent.retry);

    if (batch.lifecycle.length > 0) await this.deps.lifecycle.publish(batch.lifecycle);
    return { outcomes, retry: [...new Set(retry)] };
  }

  // -------------------------------------------------------------------------------------------

  /** Decides one node. Command decisions that pass the guards are queued in `pending` (sent in groups). */
  private async evaluateNode(
    snapshot: NodeSnapshot,
    record: NodeLedgerRecord,
    summaryFingerprint: string | undefined,
    batch: BatchState,
    pending: PendingCommand[],
  ): Promise<NodeOutcome | null> {
    const { settings, ledger, sink, clock } = this.deps;
    const now = clock.now();
    const diagnosis = diagnose(snapshot, settings);
    const decision = planRemediation(diagnosis, snapshot.tags ?? {}, settings);
    sink.count('NodesEvaluated');
    sink.info('node evaluated', {
      instanceId: snapshot.instanceId,
      causes: diagnosis.causes.map((cause) => cause.code),
      action: decision.action,
      dryRun: decision.dryRun,
      reason: decision.reason,
    });
    const evaluation = { instanceId: snapshot.instanceId, at: now, ...(summaryFingerprint ? { summaryFingerprint } : {}) };
    const id = snapshot.instanceId;

    // The evaluation (summary fingerprint) is recorded only after the node's side effects succeeded:
    // a node that failed half-way must not be skipped as "unchanged" when it comes back.
    if (diagnosis.compliant) {
      const resolved = await ledger.takeOpenCauses(id);
      if (resolved.length > 0) {
        try {
          await this.deps.notifier.notifyResolved({
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
      const sent = await this.alertCauses(diagnosis, decision, { kind: 'NOTIFIED' }, diagnosis.causes.map((cause) => cause.code));
      await ledger.recordEvaluation({ ...evaluation, deferral: null });
      return { instanceId: id, kind: 'NOTIFIED', detail: sent ? 'alert sent' : 'alert already sent' };
    }
    if (decision.dryRun) {
      const sent = await this.alertCauses(diagnosis, decision, { kind: 'DRY_RUN' }, diagnosis.causes.map((cause) => cause.code));
      await ledger.recordEvaluation({ ...evaluation, deferral: null });
      sink.count('DryRunDecisions');
      return { instanceId: id, kind: 'DRY_RUN', detail: `${decision.reason}${sent ? '' : ' (alert already sent)'}` };
    }

    const verdict = evaluateGuards({
      decision,
      ledger: record,
      inFlight: isCommandAction(decision.action) ? await this.inFlight(batch) : { remediations: 0, reboots: 0 },
      calendar: isCommandAction(decision.action) ? await this.calendarState(batch, now) : { state: 'OPEN' },
      node: nodeAgeFacts(snapshot),
      now,
      settings,
    });
    if (verdict.kind !== 'PROCEED') {
      return this.handleVerdict(snapshot, diagnosis, decision, verdict, evaluation, batch, record.deferral);
    }

    if (decision.action === 'RERUN_ASSOCIATION') {
      const associationIds = decision.associationIds ?? [];
      await this.deps.remediator.rerunAssociations(associationIds);
      await ledger.recordAttempts(id, decision.causes, now, settings.attemptWindowHours);
      batch.lifecycle.push(this.lifecycleEvent('Remediation Started', diagnosis, decision, `re-ran association(s) ${associationIds.join(', ')}`, now));
      await this.alertRemainingCauses(diagnosis, decision, { kind: 'ASSOCIATIONS_STARTED', associationIds });
      await ledger.recordEvaluation({ ...evaluation, deferral: null });
      return { instanceId: id, kind: 'ASSOCIATIONS_STARTED', detail: associationIds.join(', ') };
    }
    if (isCommandAction(decision.action)) {
      pending.push({ snapshot, previousDeferral: record.deferral, evaluation, diagnosis, decision: { ...decision, action: decision.action } });
      return null;
    }
    throw new Error(`unhandled decision ${decision.action}`);
  }

  private async handleVerdict(
    snapshot: NodeSnapshot,
    diagnosis: Diagnosis,
    decision: Decision,
    verdict: Exclude<GuardVerdict, { kind: 'PROCEED' }>,
    evaluation: { instanceId: string; at: Date; summaryFingerprint?: string },
    batch: BatchState,
    previousDeferral?: NodeDeferral,
  ): Promise<NodeOutcome> {
    const { ledger, sink } = this.deps;
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
      if (await this.sendClaimed(id, 'REMEDIATION_EXHAUSTED', fingerprint, () => this.deps.notifier.notifyExhausted({ diagnosis, decision, outcome }))) {
        await ledger.markOpenCauses(id, diagnosis.causes.map((cause) => cause.code));
        batch.lifecycle.push(this.lifecycleEvent('Remediation Exhausted', diagnosis, decision, verdict.reason, this.deps.clock.now()));
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
      const sent = await this.sendClaimed(id, `DEFERRED_${verdict.guard}`, fingerprint, () => this.deps.notifier.notifyDeferred({ diagnosis, decision, outcome }));
      if (sent) await ledger.markOpenCauses(id, diagnosis.causes.map((cause) => cause.code));
    }
    // Subscribers hear of every deferral once, whatever its guard (only a CLOSED calendar pages on-call):
    // the first deferral of a node, or a change of the guard that holds it back.
    if (previousDeferral?.guard !== verdict.guard) {
      batch.lifecycle.push(this.lifecycleEvent('Remediation Deferred', diagnosis, decision, verdict.reason, this.deps.clock.now()));
    }
    return { instanceId: id, kind: 'DEFERRED', detail: `${verdict.guard}: ${verdict.reason}` };
  }

  /** Groups command decisions by (action, causes), takes each node's lock, sends one command per 50 nodes. */
  private async sendCommands(pending: readonly PendingCommand[], batch: BatchState): Promise<EvaluationResult> {
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
          const result = await this.acquire(item, batch);
          if (result.lock) locked.push({ item, lock: result.lock });
          else outcomes.push(result.outcome);
        } catch (error) {
          this.deps.sink.error('lock acquisition failed: back to the queue', { instanceId: item.snapshot.instanceId, error: describeError(error) });
          retry.push(item.snapshot.instanceId);
          outcomes.push({ instanceId: item.snapshot.instanceId, kind: 'RETRY', detail: describeError(error) });
        }
      }
      for (let start = 0; start < locked.length; start += SEND_COMMAND_MAX_INSTANCES) {
        const chunk = locked.slice(start, start + SEND_COMMAND_MAX_INSTANCES);
        const sent = await this.sendChunk(chunk, batch);
        outcomes.push(...sent.outcomes);
        retry.push(...sent.retry);
      }
    }
    return { outcomes, retry };
  }

  private async acquire(item: PendingCommand, batch: BatchState): Promise<{ lock?: CommandLock; outcome: NodeOutcome }> {
    const { ledger, settings, clock } = this.deps;
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
      const inFlight = await this.inFlight(batch);
      inFlight.remediations += 1;
      if (reboot) inFlight.reboots += 1;
      return { lock: result.lock, outcome: { instanceId: item.snapshot.instanceId, kind: 'COMMAND_SENT' } };
    }
    if (result.reason === 'IN_FLIGHT') {
      // Another handler won the race for this node: its command covers this event.
      this.deps.sink.count('SkippedInFlight');
      return { outcome: { instanceId: item.snapshot.instanceId, kind: 'SKIPPED', detail: `command in flight (${result.holder?.commandId ?? 'being sent'})` } };
    }
    const guard = result.reason;
    const outcome = await this.handleVerdict(
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

  private async sendChunk(chunk: ReadonlyArray<{ item: PendingCommand; lock: CommandLock }>, batch: BatchState): Promise<EvaluationResult> {
    const { remediator, ledger, sink, clock, settings } = this.deps;
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
      batch.lifecycle.push(this.lifecycleEvent('Remediation Started', item.diagnosis, item.decision, item.decision.reason, now, commandId));
      outcomes.push({ instanceId: lock.instanceId, kind: 'COMMAND_SENT', commandId, detail: item.decision.reason });
      try {
        await ledger.attachCommand(lock, commandId);
        await ledger.recordAttempts(lock.instanceId, item.decision.causes, now, settings.attemptWindowHours);
        await ledger.recordEvaluation({ ...item.evaluation, deferral: null });
        await this.alertRemainingCauses(item.diagnosis, item.decision, { kind: 'COMMAND_SENT', commandId });
      } catch (error) {
        // The command is out: a retry must not resend it (the lock would skip it anyway). A lock left
        // without its command ID is released by the sweep after lockTimeoutMinutes.
        sink.count('BookkeepingFailures');
        sink.error('bookkeeping after SendCommand failed', { instanceId: lock.instanceId, commandId, error: describeError(error) });
      }
    }
    return { outcomes, retry: [] };
  }

  /** Bookkeeping only: a failure is counted and logged, never retried (the node is simply read again sooner). */
  private async recordChecks(instanceIds: readonly string[], at: Date): Promise<void> {
    const results = await Promise.allSettled(instanceIds.map((id) => this.deps.ledger.recordCheck(id, at)));
    const failed = results.filter((result) => result.status === 'rejected');
    if (failed.length > 0) {
      this.deps.sink.count('BookkeepingFailures', failed.length);
      this.deps.sink.warn('recording unchanged nodes failed', { failed: failed.length, error: describeError((failed[0] as PromiseRejectedResult).reason) });
    }
  }

  /** Alerts about `causes` if at least one of them has a fingerprint not alerted within alertRepeatHours. */
  private async alertCauses(diagnosis: Diagnosis, decision: Decision, outcome: ActionOutcome, causes: readonly CauseCode[]): Promise<boolean> {
    const { ledger, settings, clock } = this.deps;
    const id = diagnosis.instanceId;
    const now = clock.now();
    const claimed: Array<{ key: string; fingerprint: string }> = [];
    for (const cause of diagnosis.causes.filter((entry) => causes.includes(entry.code))) {
      const fingerprint = causeFingerprint(id, cause);
      if (await ledger.claimAlert(id, cause.code, fingerprint, now, settings.alertRepeatHours)) claimed.push({ key: cause.code, fingerprint });
    }
    if (claimed.length === 0) {
      this.deps.sink.count('AlertsSuppressed');
      return false;
    }
    try {
      await this.deps.notifier.notifyDiagnosis({ diagnosis, decision, outcome });
    } catch (error) {
      await Promise.all(claimed.map((entry) => ledger.forgetAlert(id, entry.key, entry.fingerprint)));
      throw error;
    }
    await ledger.markOpenCauses(id, causes);
    return true;
  }

  /** Act AND alert: the causes the action does not fix still reach on-call. */
  private async alertRemainingCauses(diagnosis: Diagnosis, decision: Decision, outcome: ActionOutcome): Promise<void> {
    const remaining = diagnosis.causes.map((cause) => cause.code).filter((code) => !decision.causes.includes(code));
    if (remaining.length > 0) await this.alertCauses(diagnosis, decision, outcome, remaining);
  }

  private async sendClaimed(instanceId: string, key: string, fingerprint: string, send: () => Promise<unknown>): Promise<boolean> {
    const { ledger, settings, clock } = this.deps;
    if (!(await ledger.claimAlert(instanceId, key, fingerprint, clock.now(), settings.alertRepeatHours))) {
      this.deps.sink.count('AlertsSuppressed');
      return false;
    }
    try {
      await send();
      return true;
    } catch (error) {
      await ledger.forgetAlert(instanceId, key, fingerprint);
      throw error;
    }
  }

  /**
   * For nodes that would be quiet repeats but for a deferral by a cap or the change calendar: which of
   * those guards still hold right now (one ledger read, and one calendar read only when a node waits
   * for the calendar). Re-reading such a node from SSM would only defer it again; it is re-read once
   * the guard clears (its next event, or the sweep). Empty when no node in the batch needs it.
   */
  private async blockedGuardsFor(nodes: readonly CoalescedNode[], records: Map<string, NodeLedgerRecord>, now: Date): Promise<Set<DeferralGuard>> {
    const { reverifyHours, changeCalendarNames } = this.deps.settings;
    const waiting = new Set<DeferralGuard>();
    for (const node of nodes) {
      const deferral = records.get(node.instanceId)?.deferral;
      if (!deferral || !ACCOUNT_DEFERRAL_GUARDS.has(deferral.guard)) continue;
      if (isQuietRepeat(node, records.get(node.instanceId), now, reverifyHours, new Set([deferral.guard]))) waiting.add(deferral.guard);
    }
    if (waiting.size === 0) return new Set();
    const batch: BatchState = { lifecycle: [] };
    const inFlight = await this.inFlight(batch);
    const calendar = waiting.has('CALENDAR_CLOSED') && changeCalendarNames.length > 0 ? await this.calendarState(batch, now) : undefined;
    return blockedAccountGuards({ inFlight, settings: this.deps.settings, ...(calendar ? { calendar } : {}) });
  }

  private async inFlight(batch: BatchState): Promise<{ remediations: number; reboots: number }> {
    if (!batch.inFlight) {
      const state = await this.deps.ledger.readInFlight();
      batch.inFlight = { remediations: state.remediations, reboots: state.reboots };
    }
    return batch.inFlight;
  }

  private async calendarState(batch: BatchState, now: Date): Promise<{ state: 'OPEN' | 'CLOSED'; closedBy?: string[] }> {
    if (!batch.calendar) {
      try {
        batch.calendar = await this.deps.calendar.state(this.deps.settings.changeCalendarNames, now);
      } catch (error) {
        // A freeze must never be ignored: an unreadable calendar counts as CLOSED.
        this.deps.sink.count('CalendarReadFailures');
        this.deps.sink.warn('change calendar unreadable: treated as CLOSED', { error: describeError(error) });
        batch.calendar = { state: 'CLOSED', closedBy: ['unreadable calendar'] };
      }
    }
    return batch.calendar;
  }

  private lifecycleEvent(detailType: LifecycleDetailType, diagnosis: Diagnosis, decision: Decision, reason: string, at: Date, commandId?: string): LifecycleEvent {
    const environment = this.deps.environment ?? {};
    return {
      detailType,
      time: at.toISOString(),
      detail: {
        instanceId: diagnosis.instanceId,
        action: decision.action,
        causes: decision.causes,
        ...(commandId ? { commandId } : {}),
        reason,
        ...(environment.account ? { account: environment.account } : {}),
        ...(environment.region ? { region: environment.region } : {}),
      },
    };
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
 * True when a node's events in this batch cannot have changed its compliance and the last decision
 * still holds: read from SSM less than QUIET_EVENT_REVERIFY_FACTOR x `reverifyHours` ago, no command
 * ended since, and no deferral waiting unless its guard is in `blockedGuards` (a cap still full, the
 * calendar still CLOSED: a re-read would only defer the node again). Such a node is acknowledged
 * without any SSM read. Pure.
 */
export function isQuietRepeat(
  node: Pick<CoalescedNode, 'mayChangeCompliance'>,
  record: NodeLedgerRecord | undefined,
  now: Date,
  reverifyHours: number,
  blockedGuards: ReadonlySet<DeferralGuard> = new Set(),
): boolean {
  if (node.mayChangeCompliance || !record?.lastEvaluatedAt) return false;
  if (record.deferral && !blockedGuards.has(record.deferral.guard)) return false;
  if (record.lastCommandEndedAt && record.lastCommandEndedAt >= record.lastEvaluatedAt) return false;
  const lastRead = record.lastCheckedAt && record.lastCheckedAt > record.lastEvaluatedAt ? record.lastCheckedAt : record.lastEvaluatedAt;
  const age = now.getTime() - Date.parse(lastRead);
  return age >= 0 && age < QUIET_EVENT_REVERIFY_FACTOR * reverifyHours * 3_600_000;
}

/**
 * Unchanged summary, evaluated in detail less than UNCHANGED_DETAIL_REVERIFY_FACTOR x `reverifyHours`
 * ago, no deferral pending, no command ended since: the last decision still holds, so the per-node
 * detail calls are skipped.
 */
function isUnchangedAndRecent(record: NodeLedgerRecord | undefined, summary: NodeSummary, now: Date, reverifyHours: number): boolean {
  if (!record?.summaryFingerprint || !record.lastEvaluatedAt || record.deferral) return false;
  if (record.lastCommandEndedAt && record.lastCommandEndedAt >= record.lastEvaluatedAt) return false;
  if (record.summaryFingerprint !== summary.fingerprint) return false;
  return now.getTime() - Date.parse(record.lastEvaluatedAt) < UNCHANGED_DETAIL_REVERIFY_FACTOR * reverifyHours * 3_600_000;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
