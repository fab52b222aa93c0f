/** Pure helpers over a node's batched summary: is it clean, and its stable fingerprint. */
import { createHash } from 'node:crypto';
import type { NodeSummary } from '../../ports/reading';

/**
 * A summary is clean when it proves the node needs no explanation: agent Online, a patch state with
 * no missing/failed/pending-reboot/rejected patches (nor available security updates on Windows),
 * a scan younger than `staleScanHours`, no NON_COMPLIANT compliance type and no failed association.
 */
export function isSummaryClean(summary: NodeSummary, staleScanHours: number, now: Date): boolean {
  const info = summary.instanceInformation;
  const state = summary.patchState;
  if (!info || info.PingStatus !== 'Online' || !state) return false;
  const bad = [state.MissingCount, state.FailedCount, state.InstalledPendingRebootCount, state.InstalledRejectedCount];
  if (info.PlatformType === 'Windows') bad.push(state.AvailableSecurityUpdateCount);
  if (bad.some((value) => (value ?? 0) > 0)) return false;
  const ended = state.OperationEndTime ? Date.parse(state.OperationEndTime) : Number.NaN;
  if (Number.isNaN(ended) || now.getTime() - ended > staleScanHours * 3_600_000) return false;
  if (summary.nonCompliantSummaries.length > 0) return false;
  // DescribeInstanceInformation's roll-up of the node's association runs.
  if ((info.AssociationStatus ?? '').toLowerCase() !== 'success' && info.AssociationStatus !== undefined) return false;
  return true;
}

/** Fields that change on every ping or inventory run do not belong in the fingerprint. */
const VOLATILE_INFO_FIELDS = new Set([
  'LastPingDateTime',
  'LastAssociationExecutionDate',
  'LastSuccessfulAssociationExecutionDate',
  'AgentVersion',
  'IsLatestVersion',
  'IPAddress',
]);

/**
 * Patch state fields that every patch run changes whether or not it found anything new: its times
 * and its snapshot ID (one per AWS-RunPatchBaseline execution). A daily scan that finds the same
 * counts keeps the fingerprint, so the node keeps its detailed evaluation; the causes that depend on
 * when the last operation ran are re-opened by `timeMayChangeDiagnosis` (domain/detail-plan.ts), which
 * reads `OperationEndTime` from the summary itself.
 */
const VOLATILE_PATCH_STATE_FIELDS = new Set(['OperationStartTime', 'OperationEndTime', 'SnapshotId']);

/**
 * With `tagKey`, only the scope tag's value counts, trimmed and lower-cased as the policy reads it
 * (a new Name or cost tag does not call for a new evaluation); without it, every tag.
 */
export function summaryFingerprint(summary: Omit<NodeSummary, 'fingerprint'>, tagKey?: string): string {
  const info = summary.instanceInformation ? without(summary.instanceInformation, VOLATILE_INFO_FIELDS) : null;
  const compliance = summary.nonCompliantSummaries
    .map((entry) => ({
      type: entry.ComplianceType ?? '',
      status: entry.Status ?? '',
      severity: entry.OverallSeverity ?? '',
      count: entry.NonCompliantSummary?.NonCompliantCount ?? null,
    }))
    .sort((a, b) => a.type.localeCompare(b.type));
  const tags = tagKey === undefined ? summary.tags : { scope: summary.tags[tagKey]?.trim().toLowerCase() ?? null };
  const patchState = summary.patchState ? without(summary.patchState, VOLATILE_PATCH_STATE_FIELDS) : summary.patchState;
  const canonical = stableStringify({ info, patchState, compliance, tags });
  return createHash('sha256').update(canonical).digest('hex');
}

function without(value: object, keys: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.has(key)));
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${stableStringify(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
