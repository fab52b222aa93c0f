/**
 * Intake and quiet-skip: SQS records -> parsed and coalesced per node -> events that cannot change a
 * node's compliance acknowledged without an SSM read -> the rest evaluated.
 *
 * Never lose a node: a node whose read failed retryably or whose processing threw goes back to the
 * queue (batch item failure for every message that named it). Malformed records are acknowledged and
 * counted, never retried (they would poison the queue).
 */
import type { DeferralGuard } from '../../domain/alerts/types';
import { coalesceByNode, type CoalescedNode } from '../../domain/intake/coalesce';
import { parseIntakeRecord } from '../../domain/intake/parse';
import type { SqsRecordLike } from '../../domain/intake/types';
import { ACCOUNT_DEFERRAL_GUARDS, blockedAccountGuards } from '../../domain/policy/guards';
import type { NodeLedgerRecord } from '../../ports/ledger';
import { calendarStateOf, inFlightOf } from './batch-state';
import { evaluate } from './evaluation';
import type { BatchState, TriageDependencies } from './types';
import { describeError } from './types';

/**
 * Events that cannot change compliance (software inventory, hash-only association compliance: ~96 of
 * a node's ~98 events a day) are acknowledged without an SSM read when the node was read less than
 * this many `reverifyHours` ago. Compliance changes arrive as patch inventory, PutComplianceItems with
 * items or native compliance-change events, which always re-read. The sweep re-reads every node each
 * `reverifyHours` in chunks of 50 (cheaper than one read per event); this bound only matters when the
 * sweep falls behind.
 */
export const QUIET_EVENT_REVERIFY_FACTOR = 2;

export async function processRecords(
  deps: TriageDependencies,
  records: readonly SqsRecordLike[],
): Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }> {
  const { sink } = deps;
  const results = records.map((record) => parseIntakeRecord(record, { ownRoleNames: deps.ownRoleNames }));
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
    const ledgerRecords = await deps.ledger.readNodes(nodes.map((node) => node.instanceId));
    const now = deps.clock.now();
    const { reverifyHours } = deps.settings;
    const blocked = await blockedGuardsFor(deps, nodes, ledgerRecords, now);
    const quiet = nodes.filter((node) => isQuietRepeat(node, ledgerRecords.get(node.instanceId), now, reverifyHours, blocked));
    if (quiet.length > 0) {
      // Acknowledged without an SSM read: nothing in these events can have changed the node's compliance.
      sink.count('QuietNodesSkipped', quiet.length);
      const stillDeferred = quiet.filter((node) => ledgerRecords.get(node.instanceId)?.deferral).length;
      if (stillDeferred > 0) sink.count('DeferralsStillBlocked', stillDeferred);
      sink.debug('events that cannot change compliance: no re-read', { nodes: quiet.map((node) => node.instanceId) });
    }
    const quietIds = new Set(quiet.map((node) => node.instanceId));
    const toEvaluate = nodes.filter((node) => !quietIds.has(node.instanceId)).map((node) => node.instanceId);
    retry = new Set((await evaluate(deps, toEvaluate, { source: 'event' }, ledgerRecords)).retry);
  } catch (error) {
    sink.count('BatchFailures');
    sink.error('batch evaluation failed: every node goes back to the queue', { error: describeError(error), nodes: nodes.length });
    retry = new Set(nodes.map((node) => node.instanceId));
  }
  const batchItemFailures = nodes.filter((node) => retry.has(node.instanceId)).flatMap((node) => node.messageIds.map((itemIdentifier) => ({ itemIdentifier })));
  return { batchItemFailures };
}

/**
 * For nodes that would be quiet repeats but for a deferral by a cap or the change calendar: which of
 * those guards still hold right now (one ledger read, and one calendar read only when a node waits
 * for the calendar). Re-reading such a node from SSM would only defer it again; it is re-read once
 * the guard clears (its next event, or the sweep). Empty when no node in the batch needs it.
 */
async function blockedGuardsFor(deps: TriageDependencies, nodes: readonly CoalescedNode[], records: Map<string, NodeLedgerRecord>, now: Date): Promise<Set<DeferralGuard>> {
  const { reverifyHours, changeCalendarNames } = deps.settings;
  const waiting = new Set<DeferralGuard>();
  for (const node of nodes) {
    const deferral = records.get(node.instanceId)?.deferral;
    if (!deferral || !ACCOUNT_DEFERRAL_GUARDS.has(deferral.guard)) continue;
    if (isQuietRepeat(node, records.get(node.instanceId), now, reverifyHours, new Set([deferral.guard]))) waiting.add(deferral.guard);
  }
  if (waiting.size === 0) return new Set();
  const batch: BatchState = { lifecycle: [] };
  const inFlight = await inFlightOf(deps, batch);
  const calendar = waiting.has('CALENDAR_CLOSED') && changeCalendarNames.length > 0 ? await calendarStateOf(deps, batch, now) : undefined;
  return blockedAccountGuards({ inFlight, settings: deps.settings, ...(calendar ? { calendar } : {}) });
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
