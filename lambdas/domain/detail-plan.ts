/**
 * Which per-node detail calls can change a diagnosis, decided before they are made (issue 18: reads
 * per event). Pure: the reader (adapters/ssm/reader.ts) and the triage's evaluation ask it.
 *
 * The cause table this relies on (lambdas/domain/causes/, pinned by test/domain/detail-plan.test.ts):
 *
 * | detail call                         | causes that read it                          | skipped when                         |
 * |-------------------------------------|----------------------------------------------|--------------------------------------|
 * | DescribeInstancePatches             | the five patch-count causes                  | no non-installed count (patches.ts)  |
 * | ListComplianceItems                 | CUSTOM_NONCOMPLIANT, ASSOCIATION_* items     | no non-Patch NON_COMPLIANT summary   |
 * | DescribeInstanceAssociationsStatus  | ASSOCIATION_FAILED, INVENTORY_ASSOCIATION_   | every association signal of the      |
 * |                                     | FAILED, PATCH_OPERATION_FAILED (association) | summary says Success (below)         |
 * | ListCommandInvocations              | PATCH_OPERATION_FAILED (command)             | the ledger read the history recently |
 * |                                     |                                              | and no failed one was noted since    |
 *
 * A node whose whole summary is unchanged since its last detailed evaluation skips every detail call
 * for `unchangedDetailHours` (below): its last decision still holds.
 *
 * Association statuses: a failed, timed-out or still pending association run shows in three fields of
 * DescribeInstanceInformation (SSM API reference, InstanceInformation): `AssociationStatus`,
 * `AssociationOverview` (`DetailedStatus` and `InstanceAssociationStatusAggregatedCount`, the number of
 * the node's associations per status) and `LastAssociationExecutionDate` against
 * `LastSuccessfulAssociationExecutionDate`. How SSM rolls the first one up is not documented, so the
 * statuses are skipped only when every field present agrees that all runs succeeded; a missing
 * `AssociationStatus` reads them. The reader cross-checks once more after ListComplianceItems: a
 * NON_COMPLIANT Association item of a non-patch document reads the statuses anyway.
 *
 * Command history: no summary field tells that a patch command failed. The follow-up sees every
 * AWS-RunPatchBaseline invocation that ends (the EventBridge rule matches the document, not the
 * caller) and notes each one that did not succeed on the node's ledger record, known node or not
 * (`patchCommandFailedSeenAt`; our own commands too, and one of ours whose status event was lost
 * when the sweep settles it); a success cannot add a failure to the history, so it is not noted.
 * The history read (commands.ts) lists the invocations requested after the patch state's
 * `OperationEndTime`, so the ledger can rule a failure out from either of two points:
 *  - `commandHistoryClearAt`: a read of the history found no failed patch command;
 *  - the node's `OperationEndTime`, when it is after `failureNotesSince` (the ledger's record of
 *    since when the follow-up notes failed ends, written by the sweep's first run): any patch
 *    command after it ended while the follow-up was noting, so a failure would have been noted.
 * EventBridge delivery is best effort (AWS-FACTS.md, "Events"), so the history is re-read once the
 * later of the two points is COMMAND_HISTORY_REREAD_HOURS old, and nothing acts on a snapshot whose
 * history was skipped: the triage reads what was deferred before a command or an association re-run
 * (evaluation.ts).
 */
import { documentFamily } from './causes/facts';
import type { ComplianceItem, DeferrableDetail, InstanceInformation, NodeSnapshot } from './types';

export type { DeferrableDetail } from './types';

/** The command history is re-read at least this often, whatever the events say (lost events). */
export const COMMAND_HISTORY_REREAD_HOURS = 24;

/** True unless every association field of the node's summary says all its association runs succeeded. */
export function associationStatusesNeeded(info: InstanceInformation | null | undefined): boolean {
  if (!info) return true;
  const rollUp = info.AssociationStatus;
  if (typeof rollUp !== 'string' || rollUp.toLowerCase() !== 'success') return true;
  const overview = info['AssociationOverview'];
  if (overview !== undefined && !overviewAllSucceeded(overview)) return true;
  const last = Date.parse(info.LastAssociationExecutionDate ?? '');
  const lastSuccess = Date.parse(info.LastSuccessfulAssociationExecutionDate ?? '');
  // A run after the last successful one did not succeed.
  if (!Number.isNaN(last) && (Number.isNaN(lastSuccess) || last > lastSuccess)) return true;
  return false;
}

function overviewAllSucceeded(overview: unknown): boolean {
  if (!overview || typeof overview !== 'object') return false;
  const { DetailedStatus: detailed, InstanceAssociationStatusAggregatedCount: counts } = overview as Record<string, unknown>;
  if (detailed !== undefined && (typeof detailed !== 'string' || detailed.toLowerCase() !== 'success')) return false;
  if (counts === undefined) return true;
  if (!counts || typeof counts !== 'object') return false;
  return Object.entries(counts as Record<string, unknown>).every(([status, count]) => status.toLowerCase() === 'success' || count === 0);
}

/**
 * The reader's cross-check after ListComplianceItems: a NON_COMPLIANT Association item of a document
 * that is not patching (ASSOCIATION_FAILED, INVENTORY_ASSOCIATION_FAILED read the statuses for the
 * error code and detailed status) calls for the statuses even when the summary said Success.
 */
export function associationItemsNeedStatuses(items: readonly ComplianceItem[] | undefined): boolean {
  return (items ?? []).some(
    (item) => item.ComplianceType === 'Association' && item.Status === 'NON_COMPLIANT' && documentFamily(item.Details?.['DocumentName']) !== 'patch',
  );
}

/** What the ledger knows about a node's patch command history. */
export interface CommandHistoryFacts {
  /** ISO, the last read of the history that showed no failed patch command (absent: never, or it showed one). */
  commandHistoryClearAt?: string;
  /**
   * ISO, when the follow-up (or the sweep, settling a command whose event was lost) last saw anyone's
   * AWS-RunPatchBaseline invocation on the node end other than Success. Our own commands need no
   * mark of their own: a failed one is noted here like anyone's, a successful one adds no failure.
   */
  patchCommandFailedSeenAt?: string;
}

/** What the summary and the ledger's account-wide record add to a node's own facts. */
export interface CommandHistoryContext {
  /** The patch state's `OperationEndTime` (DescribeInstancePatchStates): the history read starts there. */
  operationEndTime?: string | undefined;
  /** ISO, since when the follow-up notes every failed patch command end (absent: not known yet). */
  failureNotesSince?: string | undefined;
}

/** Allowed clock skew between the patch state's times and ours. */
const SKEW_MS = 5 * 60_000;

/**
 * The latest time up to which the ledger rules out a failed patch command after the last reported
 * patch operation, or NaN when it cannot.
 */
export function commandHistoryClearPoint(facts: CommandHistoryFacts | undefined, context: CommandHistoryContext | undefined, now: Date): number {
  const readClear = Date.parse(facts?.commandHistoryClearAt ?? '');
  const operationEnd = Date.parse(context?.operationEndTime ?? '');
  const notesSince = Date.parse(context?.failureNotesSince ?? '');
  const noted =
    !Number.isNaN(operationEnd) && !Number.isNaN(notesSince) && operationEnd >= notesSince && operationEnd <= now.getTime() + SKEW_MS ? operationEnd : Number.NaN;
  if (Number.isNaN(readClear)) return noted;
  if (Number.isNaN(noted)) return readClear;
  return Math.max(readClear, noted);
}

/** True when ListCommandInvocations may show something the ledger does not already rule out. */
export function commandHistoryNeeded(facts: CommandHistoryFacts | undefined, now: Date, context?: CommandHistoryContext): boolean {
  const clearAt = commandHistoryClearPoint(facts, context, now);
  if (Number.isNaN(clearAt)) return true;
  if (now.getTime() - clearAt >= COMMAND_HISTORY_REREAD_HOURS * 3_600_000) return true;
  // >= : a failure noted in the same millisecond as the clear point may not have been in it.
  const failedSeen = Date.parse(facts?.patchCommandFailedSeenAt ?? '');
  return !Number.isNaN(failedSeen) && failedSeen >= clearAt;
}

/** The detail calls a snapshot was read without (empty: complete). */
export function deferredDetailOf(snapshot: NodeSnapshot): DeferrableDetail[] {
  return snapshot.deferredDetail ?? [];
}

/**
 * How long a node whose summary fingerprint did not change keeps its last detailed evaluation (the
 * triage and the sweep's re-verification then read only the summary). What the detail calls return
 * follows the summary: the patch list comes from the last patch operation, whose counts are in the
 * fingerprint, the association statuses from the overview counts, the compliance items from the
 * per-type counts; what a refresh adds is fresher evidence (which items, which patches, when a run
 * finds others in the same counts) and a repeated alert, which cannot go out before
 * `alertRepeatHours` anyway. So: `alertRepeatHours`, at
 * most COMMAND_HISTORY_REREAD_HOURS (the evidence is never more than a day old, like the history),
 * never less than 2 x `reverifyHours` (the bound before issue 18). Defaults: 24 h.
 */
export function unchangedDetailHours(settings: { reverifyHours: number; alertRepeatHours: number }): number {
  return Math.max(2 * settings.reverifyHours, Math.min(settings.alertRepeatHours, COMMAND_HISTORY_REREAD_HOURS));
}

/** Causes that depend on when the last patch operation ran, not only on what it found. */
const OPERATION_TIME_CAUSES: readonly string[] = ['PATCH_SCAN_STALE', 'PATCH_SCAN_MISSING', 'PATCH_OPERATION_FAILED'];

/**
 * True when time alone, or a patch run that found the same counts (its times are not in the summary
 * fingerprint, adapters/ssm/summary.ts), may have changed the diagnosis of a node whose summary
 * fingerprint did not change since `lastEvaluatedAt`:
 *  - its last patch operation crossed `staleScanHours` since (PATCH_SCAN_STALE);
 *  - a patch operation ended since and the last evaluation left a cause open that depends on when
 *    the last one ran (a stale or missing scan, a failed patch command after it). Open causes are the
 *    alerted ones: a cause never alerted (opted-out node, paused autopilot) can outlive a new run by
 *    up to `unchangedDetailHours`;
 *  - an association is not all Success (a Pending run becomes stuck with time,
 *    INVENTORY_ASSOCIATION_FAILED): such a node keeps the shorter bound of 2 x `reverifyHours`.
 */
export function timeMayChangeDiagnosis(
  summary: { instanceInformation?: InstanceInformation | null; patchState?: { OperationEndTime?: string } | null },
  record: { lastEvaluatedAt: string; openCauses?: readonly string[] },
  now: Date,
  settings: { reverifyHours: number; staleScanHours: number },
): boolean {
  const evaluated = Date.parse(record.lastEvaluatedAt);
  const operationEnd = Date.parse(summary.patchState?.OperationEndTime ?? '');
  if (!Number.isNaN(operationEnd)) {
    const turnsStale = operationEnd + settings.staleScanHours * 3_600_000;
    if (turnsStale > evaluated && turnsStale <= now.getTime()) return true;
    if (operationEnd > evaluated && (record.openCauses ?? []).some((code) => OPERATION_TIME_CAUSES.includes(code))) return true;
  }
  return associationStatusesNeeded(summary.instanceInformation) && now.getTime() - evaluated >= 2 * settings.reverifyHours * 3_600_000;
}
