/**
 * One report entry per node (diagnosis, decision, automation state) and the CSV rows made of it.
 * Pure: the same snapshots, ledger facts and context give the same rows. Which API field fills each
 * Patch Manager column where AWS does not say is documented in docs/REPORTS.md ("Column mapping").
 */
import { runCommandHistoryLink } from '../console-links';
import { diagnose } from '../diagnose';
import { normalizePatchState, vendorSeverity, type PatchState } from '../patch-state';
import { planRemediation } from '../policy/plan';
import type { AutopilotSettings } from '../settings';
import type { CauseCode, Decision, Diagnosis, NodeSnapshot, PatchComplianceData, ResourceComplianceSummary, Severity } from '../types';
import { SEVERITIES } from '../types';
import { automationState, type AutomationFacts, type AutomationState } from './automation';

export interface ReportContext {
  account: string;
  region: string;
  /** ISO: the report's "now" (attempt windows, ages). */
  generatedAt: string;
  settings: AutopilotSettings;
}

/** Patch compliance as Patch Manager reports it (the `Compliance status` column). */
export type ComplianceStatus = 'COMPLIANT' | 'NON_COMPLIANT' | 'UNREPORTED';
export type ComplianceSeverity = Severity | 'UNSPECIFIED';
export const COMPLIANCE_SEVERITIES: readonly ComplianceSeverity[] = [...SEVERITIES, 'UNSPECIFIED'];

export interface NodeReportEntry {
  snapshot: NodeSnapshot;
  diagnosis: Diagnosis;
  decision: Decision;
  automation: AutomationState;
  /** Cause codes, most severe first. */
  causes: CauseCode[];
  name: string;
  status: ComplianceStatus;
  /** Highest severity of the node's non-compliant patches; null when compliant or unknown. */
  severity: ComplianceSeverity | null;
  /** Non-compliant patch counts per severity; null = not known (summary not read). */
  severityCounts: Record<ComplianceSeverity, number> | null;
  /** ISO, first time the node was seen non-compliant (report history, else the ledger), if known. */
  nonCompliantSince?: string;
  lastCommand?: { commandId: string; status: string };
}

export interface NodeReportInput {
  snapshot: NodeSnapshot;
  ledger?: AutomationFacts;
  /** ISO, from the report history (when the node was first reported non-compliant). */
  nonCompliantSince?: string;
}

const SEVERITY_RANK = new Map<string, number>(COMPLIANCE_SEVERITIES.map((severity, index) => [severity, index]));

/** The EC2 `Name` tag; else the OS host name, labelled so nobody takes it for the tag. */
export function instanceName(snapshot: NodeSnapshot): string {
  const tag = snapshot.tags?.['Name'];
  if (tag) return tag;
  const host = snapshot.instanceInformation?.ComputerName;
  return host ? `${host} (hostname)` : '';
}

function patchSummary(snapshot: NodeSnapshot): ResourceComplianceSummary | undefined {
  return snapshot.complianceSummaries?.find((summary) => summary.ComplianceType === 'Patch' && summary.Status === 'NON_COMPLIANT');
}

const NON_COMPLIANT_STATES = new Set<PatchState>(['Missing', 'Failed', 'InstalledPendingReboot', 'InstalledRejected']);

export function complianceStatus(snapshot: NodeSnapshot): ComplianceStatus {
  if (patchSummary(snapshot)) return 'NON_COMPLIANT';
  const state = snapshot.patchState;
  if (!state) return 'UNREPORTED';
  const counts = [state.MissingCount, state.FailedCount, state.InstalledPendingRebootCount, state.InstalledRejectedCount];
  return counts.some((count) => (count ?? 0) > 0) ? 'NON_COMPLIANT' : 'COMPLIANT';
}

/**
 * Per-severity counts from ListResourceComplianceSummaries' `NonCompliantSummary.SeveritySummary`
 * (CriticalCount, HighCount, ...); zeros for a patch-compliant node whose summaries were read; else
 * counted from the patch list's compliance items, unknown (null) when nothing says.
 */
function severityCounts(snapshot: NodeSnapshot, status: ComplianceStatus): Record<ComplianceSeverity, number> | null {
  const zero = (): Record<ComplianceSeverity, number> => ({ CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNSPECIFIED: 0 });
  const summary = patchSummary(snapshot)?.NonCompliantSummary?.SeveritySummary;
  if (summary) {
    const counts = zero();
    counts.CRITICAL = summary['CriticalCount'] ?? 0;
    counts.HIGH = summary['HighCount'] ?? 0;
    counts.MEDIUM = summary['MediumCount'] ?? 0;
    counts.LOW = summary['LowCount'] ?? 0;
    counts.INFORMATIONAL = summary['InformationalCount'] ?? 0;
    counts.UNSPECIFIED = summary['UnspecifiedCount'] ?? 0;
    return counts;
  }
  if (status === 'COMPLIANT') return zero();
  // No summary counts: the patch list the reader holds (the non-installed states), by vendor severity.
  const listed = (snapshot.patches ?? []).filter((patch) => NON_COMPLIANT_STATES.has(normalizePatchState(patch.State)));
  if (listed.length === 0) return null;
  const counts = zero();
  for (const patch of listed) counts[vendorSeverity(patch.Severity) ?? 'UNSPECIFIED'] += 1;
  return counts;
}

function complianceSeverity(snapshot: NodeSnapshot, counts: Record<ComplianceSeverity, number> | null, status: ComplianceStatus): ComplianceSeverity | null {
  if (status !== 'NON_COMPLIANT') return null;
  const overall = patchSummary(snapshot)?.OverallSeverity?.toUpperCase();
  if (overall && SEVERITY_RANK.has(overall)) return overall as ComplianceSeverity;
  if (counts) return COMPLIANCE_SEVERITIES.find((severity) => counts[severity] > 0) ?? null;
  if ((snapshot.patchState?.CriticalNonCompliantCount ?? 0) > 0) return 'CRITICAL';
  return null;
}

/** Causes ordered most severe first; equal severities keep the registry's order. */
export function causesBySeverity(diagnosis: Diagnosis): CauseCode[] {
  return diagnosis.causes
    .map((cause, index) => ({ cause, index }))
    .sort((a, b) => (SEVERITY_RANK.get(a.cause.severity)! - SEVERITY_RANK.get(b.cause.severity)!) || a.index - b.index)
    .map(({ cause }) => cause.code);
}

/** The newest AWS-RunPatchBaseline run the reader saw, unless a command of ours is still in flight. */
function lastCommand(snapshot: NodeSnapshot, automation: AutomationFacts | undefined): NodeReportEntry['lastCommand'] {
  const lock = automation?.lock;
  if (lock?.commandId) return { commandId: lock.commandId, status: 'InProgress' };
  const newest = [...(snapshot.commandInvocations ?? [])]
    .filter((invocation) => invocation.CommandId)
    .sort((a, b) => (b.RequestedDateTime ?? '').localeCompare(a.RequestedDateTime ?? ''))[0];
  return newest?.CommandId ? { commandId: newest.CommandId, status: newest.Status ?? '' } : undefined;
}

/** The earliest alert of a cause the node still has open: a lower bound when the report history is new. */
function sinceFromLedger(facts: AutomationFacts | undefined): string | undefined {
  if (!facts?.alerts || !facts.openCauses || facts.openCauses.length === 0) return undefined;
  const times = facts.openCauses.map((cause) => facts.alerts?.[cause]?.sentAt).filter((time): time is string => typeof time === 'string');
  return times.length > 0 ? times.sort()[0] : undefined;
}

export function buildNodeEntry(input: NodeReportInput, context: ReportContext): NodeReportEntry {
  const { snapshot } = input;
  const diagnosis = diagnose(snapshot, context.settings);
  const decision = planRemediation(diagnosis, snapshot.tags ?? {}, context.settings);
  const causes = causesBySeverity(diagnosis);
  const automation = automationState(input.ledger, causes, context.settings, new Date(context.generatedAt));
  const status = complianceStatus(snapshot);
  const counts = severityCounts(snapshot, status);
  const nonCompliant = status === 'NON_COMPLIANT' || causes.length > 0;
  // First seen non-compliant: by an earlier report, else the earliest open alert, else this report.
  const since = nonCompliant ? (input.nonCompliantSince ?? sinceFromLedger(input.ledger) ?? context.generatedAt) : undefined;
  const command = lastCommand(snapshot, input.ledger);
  return {
    snapshot,
    diagnosis,
    decision,
    automation,
    causes,
    name: instanceName(snapshot),
    status,
    severity: complianceSeverity(snapshot, counts, status),
    severityCounts: counts,
    ...(since ? { nonCompliantSince: since } : {}),
    ...(command ? { lastCommand: command } : {}),
  };
}

/** A node needs a single-node report when Patch Manager or the diagnosis says it is non-compliant. */
export function isNonCompliant(entry: NodeReportEntry): boolean {
  return entry.status === 'NON_COMPLIANT' || entry.causes.length > 0;
}

export type CsvRow = Array<string | number>;

export function allNodeRow(entry: NodeReportEntry, index: number, context: Pick<ReportContext, 'account' | 'region'>): CsvRow {
  const info = entry.snapshot.instanceInformation;
  const state = entry.snapshot.patchState;
  const count = (severity: ComplianceSeverity) => (entry.severityCounts ? entry.severityCounts[severity] : '');
  return [
    index,
    entry.snapshot.instanceId,
    entry.name,
    info?.IPAddress ?? '',
    info?.PlatformName ?? '',
    info?.PlatformVersion ?? '',
    info?.AgentVersion ?? '',
    state?.BaselineId ?? '',
    state?.PatchGroup ?? '',
    entry.status,
    entry.severity ?? '',
    count('CRITICAL'),
    count('HIGH'),
    count('MEDIUM'),
    count('LOW'),
    count('INFORMATIONAL'),
    count('UNSPECIFIED'),
    entry.causes.join(';'),
    entry.decision.action,
    entry.automation.label,
    entry.lastCommand?.commandId ?? '',
    entry.lastCommand?.status ?? '',
    entry.automation.attempts,
    entry.nonCompliantSince ?? '',
    entry.decision.nodeMode,
    context.account,
    entry.snapshot.region ?? context.region,
  ];
}

/** The cause a patch in this state is evidence for (only when the diagnosis found that cause). */
const CAUSE_BY_STATE: Partial<Record<PatchState, CauseCode>> = {
  Missing: 'MISSING_PATCHES',
  Failed: 'FAILED_PATCHES',
  InstalledPendingReboot: 'PENDING_REBOOT',
  InstalledRejected: 'REJECTED_PATCHES_INSTALLED',
  AvailableSecurityUpdate: 'SECURITY_UPDATES_NOT_APPROVED',
};

/**
 * `Logs URL`: the output of the newest AWS-RunPatchBaseline run on the node: its S3 output URL when the
 * command wrote to S3, else the Run Command console page of that command.
 */
function logsUrl(entry: NodeReportEntry, region: string): string {
  const invocation = [...(entry.snapshot.commandInvocations ?? [])]
    .filter((candidate) => candidate.CommandId)
    .sort((a, b) => (b.RequestedDateTime ?? '').localeCompare(a.RequestedDateTime ?? ''))[0];
  if (!invocation?.CommandId) return '';
  if (invocation.StandardOutputUrl) return invocation.StandardOutputUrl;
  return runCommandHistoryLink(region, invocation.CommandId).url;
}

/**
 * `Compliance level`: the severity Patch Manager gives a non-compliant patch's compliance item
 * (ListComplianceItems `Severity`, ComplianceType Patch) when the snapshot holds it, else the node's
 * Patch compliance severity for a patch in a non-compliant state; empty for compliant patches.
 */
function complianceLevel(entry: NodeReportEntry, patch: PatchComplianceData, state: PatchState): string {
  const item = entry.snapshot.complianceItems?.find((candidate) => candidate.ComplianceType === 'Patch' && candidate.Id === patch.KBId);
  if (item?.Severity) return item.Severity;
  return NON_COMPLIANT_STATES.has(state) ? (entry.severity ?? '') : '';
}

/** One row per patch the snapshot holds, in the order the reader returned them. */
export function singleNodeRows(entry: NodeReportEntry, context: Pick<ReportContext, 'region'>): CsvRow[] {
  const { snapshot } = entry;
  const info = snapshot.instanceInformation;
  const region = snapshot.region ?? context.region;
  const found = new Set(entry.causes);
  const url = logsUrl(entry, region);
  return (snapshot.patches ?? []).map((patch, index) => {
    const state = normalizePatchState(patch.State);
    const cause = CAUSE_BY_STATE[state];
    return [
      index + 1,
      snapshot.instanceId,
      entry.name,
      patch.Title ?? '',
      patch.KBId ?? '',
      state === 'Unknown' ? (patch.State ?? '') : state,
      snapshot.patchState?.OperationEndTime ?? '',
      complianceLevel(entry, patch, state),
      patch.Severity ?? '',
      patch.Classification ?? '',
      patch.CVEIds ?? '',
      snapshot.patchState?.BaselineId ?? '',
      url,
      info?.IPAddress ?? '',
      info?.PlatformName ?? '',
      info?.PlatformVersion ?? '',
      info?.AgentVersion ?? '',
      cause && found.has(cause) ? cause : '',
    ];
  });
}
