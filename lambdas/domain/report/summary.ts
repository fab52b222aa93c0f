/**
 * The daily fleet summary kept as history (one JSON object per day in S3), and the tracking of open
 * non-compliance that gives "Non-compliant since", the age buckets and the time to heal. Pure.
 *
 * Tracking: the report remembers, per non-compliant node, since when and with which causes. A node it
 * tracked that now reads compliant has healed: its time to heal (now - since) counts for each of
 * those causes. A node that could not be read keeps its entry; a node SSM no longer knows is dropped
 * without counting as healed.
 */
import { CAUSE_CODES, type CauseCode } from '../types';
import { attemptsInWindow, type AutomationFacts } from './automation';
import { COMPLIANCE_SEVERITIES, isNonCompliant, type ComplianceSeverity, type ComplianceStatus, type NodeReportEntry } from './rows';

export const SUMMARY_SCHEMA_VERSION = 1;
/** "Older than" buckets of the age of non-compliance, in days. */
export const AGE_BUCKET_DAYS = [1, 7, 14, 30] as const;

export interface TrackedNode {
  /** ISO. */
  since: string;
  causes: CauseCode[];
}

/** Non-compliant nodes the last report saw, by instance ID, and when that report ran. */
export interface TrackingState {
  generatedAt: string;
  nodes: Record<string, TrackedNode>;
}

export interface HealStats {
  healed: number;
  totalHours: number;
  medianHours: number;
  maxHours: number;
}

export interface RemediationOutcomes {
  /** Commands recorded (ledger attempts) since the previous report. */
  sent: number;
  /** Nodes with such an attempt that now read compliant. */
  succeeded: number;
  /** Nodes with such an attempt, no command in flight, still holding an attempted cause. */
  failed: number;
  /** Nodes whose last decision a guard holds back. */
  deferred: number;
  /** Nodes out of attempts for a cause they still have. */
  exhausted: number;
}

export interface FleetSummary {
  schemaVersion: number;
  /** YYYY-MM-DD (UTC) of `generatedAt`. */
  date: string;
  generatedAt: string;
  account: string;
  region: string;
  nodes: number;
  /** Nodes that could not be read (counted, not in the rows). */
  unreadable: number;
  byStatus: Record<ComplianceStatus, number>;
  /** Patch non-compliant nodes by their compliance severity. */
  bySeverity: Record<ComplianceSeverity, number>;
  /** Nodes with a cause, per cause (a node counts once per cause). */
  byCause: Partial<Record<CauseCode, number>>;
  /** Nodes with no cause found (the autopilot's own view: patches, associations, reachability, scans). */
  healthy: number;
  remediations: RemediationOutcomes;
  timeToHeal: Partial<Record<CauseCode, HealStats>>;
  /** Non-compliant nodes older than 1, 7, 14, 30 days (cumulative). */
  ageOver: Record<string, number>;
}

export interface SummaryInput {
  entries: readonly NodeReportEntry[];
  ledger: ReadonlyMap<string, AutomationFacts>;
  previous: TrackingState | null;
  /** Node IDs SSM no longer knows. */
  unknown: readonly string[];
  /** Node IDs that could not be read. */
  failed: readonly string[];
  account: string;
  region: string;
  generatedAt: string;
}

const HOUR = 3_600_000;

export function compliancePercent(summary: Pick<FleetSummary, 'nodes' | 'byStatus'>): number {
  return summary.nodes === 0 ? 100 : Math.round((summary.byStatus.COMPLIANT / summary.nodes) * 1000) / 10;
}

/** The next tracking state, and each healed node's hours per cause. */
export function advanceTracking(
  entries: readonly NodeReportEntry[],
  previous: TrackingState | null,
  failed: readonly string[],
  generatedAt: string,
): { tracking: TrackingState; healed: Array<{ instanceId: string; causes: CauseCode[]; hours: number }> } {
  const nodes: Record<string, TrackedNode> = {};
  const healed: Array<{ instanceId: string; causes: CauseCode[]; hours: number }> = [];
  const now = Date.parse(generatedAt);
  for (const entry of entries) {
    const id = entry.snapshot.instanceId;
    const before = previous?.nodes[id];
    if (isNonCompliant(entry)) {
      nodes[id] = { since: before?.since ?? entry.nonCompliantSince ?? generatedAt, causes: entry.causes };
    } else if (before) {
      healed.push({ instanceId: id, causes: before.causes, hours: Math.max(0, (now - Date.parse(before.since)) / HOUR) });
    }
  }
  for (const id of failed) {
    const before = previous?.nodes[id];
    if (before) nodes[id] = before;
  }
  return { tracking: { generatedAt, nodes }, healed };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

export function summarizeFleet(input: SummaryInput): { summary: FleetSummary; tracking: TrackingState } {
  const { entries, previous, generatedAt } = input;
  const now = new Date(generatedAt);
  const byStatus: Record<ComplianceStatus, number> = { COMPLIANT: 0, NON_COMPLIANT: 0, UNREPORTED: 0 };
  const bySeverity = Object.fromEntries(COMPLIANCE_SEVERITIES.map((severity) => [severity, 0])) as Record<ComplianceSeverity, number>;
  const byCause: Partial<Record<CauseCode, number>> = {};
  const remediations: RemediationOutcomes = { sent: 0, succeeded: 0, failed: 0, deferred: 0, exhausted: 0 };
  const sinceMs = previous ? Date.parse(previous.generatedAt) : now.getTime() - 24 * HOUR;
  let healthy = 0;

  for (const entry of entries) {
    byStatus[entry.status] += 1;
    if (entry.status === 'NON_COMPLIANT') bySeverity[entry.severity ?? 'UNSPECIFIED'] += 1;
    if (entry.causes.length === 0) healthy += 1;
    for (const cause of entry.causes) byCause[cause] = (byCause[cause] ?? 0) + 1;

    if (entry.automation.kind === 'deferred') remediations.deferred += 1;
    if (entry.automation.kind === 'exhausted') remediations.exhausted += 1;
    const facts = input.ledger.get(entry.snapshot.instanceId);
    if (!facts) continue;
    // Every attempt the ledger still holds that happened since the previous report, whatever its cause.
    const attempted = (Object.entries(facts.attempts) as Array<[CauseCode, string[]]>)
      .map(([cause, times]) => ({ cause, times: attemptsInWindow(times, now, (now.getTime() - sinceMs) / HOUR) }))
      .filter(({ times }) => times.length > 0);
    const sent = attempted.reduce((sum, { times }) => sum + times.length, 0);
    remediations.sent += sent;
    if (sent === 0) continue;
    if (entry.causes.length === 0) remediations.succeeded += 1;
    else if (!facts.lock && attempted.some(({ cause }) => entry.causes.includes(cause))) remediations.failed += 1;
  }

  const { tracking, healed } = advanceTracking(entries, previous, input.failed, generatedAt);
  const hoursByCause = new Map<CauseCode, number[]>();
  for (const node of healed) {
    for (const cause of node.causes) hoursByCause.set(cause, [...(hoursByCause.get(cause) ?? []), node.hours]);
  }
  const timeToHeal: Partial<Record<CauseCode, HealStats>> = {};
  for (const cause of CAUSE_CODES) {
    const hours = hoursByCause.get(cause);
    if (!hours) continue;
    timeToHeal[cause] = {
      healed: hours.length,
      totalHours: round1(hours.reduce((sum, value) => sum + value, 0)),
      medianHours: round1(median(hours)),
      maxHours: round1(Math.max(...hours)),
    };
  }

  const ageOver: Record<string, number> = Object.fromEntries(AGE_BUCKET_DAYS.map((days) => [String(days), 0]));
  for (const node of Object.values(tracking.nodes)) {
    const ageDays = (now.getTime() - Date.parse(node.since)) / (24 * HOUR);
    for (const days of AGE_BUCKET_DAYS) if (ageDays > days) ageOver[String(days)]! += 1;
  }

  return {
    summary: {
      schemaVersion: SUMMARY_SCHEMA_VERSION,
      date: generatedAt.slice(0, 10),
      generatedAt,
      account: input.account,
      region: input.region,
      nodes: entries.length,
      unreadable: input.failed.length,
      byStatus,
      bySeverity,
      byCause,
      healthy,
      remediations,
      timeToHeal,
      ageOver,
    },
    tracking,
  };
}
