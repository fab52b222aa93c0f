/**
 * Facts derived once from a snapshot, shared by every rule: normalised counts, patches grouped by
 * canonical state, associations split by document family, patch commands newest first, parsed times.
 * Liberal in what it accepts: missing arrays are "none", counts may be absent, `patchState` may be null.
 */
import { normalizePatchState, type PatchState } from '../patch-state';
import type {
  CommandInvocation,
  ComplianceItem,
  InstanceAssociationStatus,
  InstancePatchState,
  NodeSnapshot,
  PatchComplianceData,
  Platform,
  ResourceComplianceSummary,
} from '../types';

/** Documents that run Patch Manager operations (AWS-ApplyPatchBaseline is the legacy Windows one). */
export const PATCH_DOCUMENTS = new Set([
  'AWS-RunPatchBaseline',
  'AWS-RunPatchBaselineAssociation',
  'AWS-RunPatchBaselineWithHooks',
  'AWS-ApplyPatchBaseline',
]);
export const INVENTORY_DOCUMENT = 'AWS-GatherSoftwareInventory';

export type DocumentFamily = 'patch' | 'inventory' | 'other';

/** Shared documents may be named by ARN (`arn:aws:ssm:<region>::document/AWS-RunPatchBaseline`). */
export function documentBaseName(name: string | undefined): string {
  if (!name) return '';
  const marker = name.lastIndexOf('document/');
  return marker >= 0 ? name.slice(marker + 'document/'.length) : name;
}

export function documentFamily(name: string | undefined): DocumentFamily {
  const base = documentBaseName(name);
  if (PATCH_DOCUMENTS.has(base)) return 'patch';
  if (base === INVENTORY_DOCUMENT) return 'inventory';
  return 'other';
}

export interface PatchCounts {
  missing: number;
  failed: number;
  pendingReboot: number;
  rejected: number;
  availableSecurityUpdates: number;
  criticalNonCompliant: number;
  securityNonCompliant: number;
  otherNonCompliant: number;
  /** True when the Critical/Security/Other rollups were present in the patch state. */
  hasRollups: boolean;
}

export interface NodeFacts {
  snapshot: NodeSnapshot;
  instanceId: string;
  region: string | undefined;
  now: Date;
  platform: Platform;
  pingStatus: string | undefined;
  /**
   * Listed by DescribeInstanceInformation and not reported offline. A hand-written snapshot without
   * PingStatus is given the benefit of the doubt: only ConnectionLost/Inactive prove unreachability.
   */
  reachable: boolean;
  patchState: InstancePatchState | null;
  counts: PatchCounts;
  patches: PatchComplianceData[];
  patchesByState: Map<PatchState, PatchComplianceData[]>;
  lastPatchOperationEnd: Date | null;
  associationsByFamily: Record<DocumentFamily, InstanceAssociationStatus[]>;
  /** Patch-family command invocations, newest RequestedDateTime first. */
  patchCommands: CommandInvocation[];
  /** `undefined` = not read. */
  complianceItems: ComplianceItem[] | undefined;
  /** `undefined` = not read. */
  complianceSummaries: ResourceComplianceSummary[] | undefined;
}

export function parseTime(value: string | undefined | null): Date | null {
  if (!value) return null;
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? null : new Date(millis);
}

export function platformOf(snapshot: NodeSnapshot): Platform {
  const type = (snapshot.instanceInformation?.PlatformType ?? '').toLowerCase();
  if (type === 'windows') return 'Windows';
  if (type === 'linux') return 'Linux';
  if (type === 'macos') return 'MacOS';
  // No instance information (unreachable node): Windows patches carry KB IDs, Linux ones do not.
  const patches = snapshot.patches ?? [];
  if (patches.length > 0 && patches.every((patch) => /^KB\d+$/i.test(patch.KBId ?? ''))) return 'Windows';
  return 'Unknown';
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

export function buildFacts(snapshot: NodeSnapshot): NodeFacts {
  const patches = snapshot.patches ?? [];
  const patchesByState = new Map<PatchState, PatchComplianceData[]>();
  for (const patch of patches) {
    const state = normalizePatchState(patch.State);
    const bucket = patchesByState.get(state) ?? [];
    bucket.push(patch);
    patchesByState.set(state, bucket);
  }
  const listed = (state: PatchState): number => patchesByState.get(state)?.length ?? 0;
  const patchState = snapshot.patchState ?? null;
  // Counts come from the patch state; a patch list without a patch state still counts.
  const counts: PatchCounts = {
    missing: Math.max(count(patchState?.MissingCount), listed('Missing')),
    failed: Math.max(count(patchState?.FailedCount), listed('Failed')),
    pendingReboot: Math.max(count(patchState?.InstalledPendingRebootCount), listed('InstalledPendingReboot')),
    rejected: Math.max(count(patchState?.InstalledRejectedCount), listed('InstalledRejected')),
    availableSecurityUpdates: Math.max(count(patchState?.AvailableSecurityUpdateCount), listed('AvailableSecurityUpdate')),
    criticalNonCompliant: count(patchState?.CriticalNonCompliantCount),
    securityNonCompliant: count(patchState?.SecurityNonCompliantCount),
    otherNonCompliant: count(patchState?.OtherNonCompliantCount),
    hasRollups:
      patchState !== null &&
      (patchState.CriticalNonCompliantCount !== undefined ||
        patchState.SecurityNonCompliantCount !== undefined ||
        patchState.OtherNonCompliantCount !== undefined),
  };

  const associationsByFamily: Record<DocumentFamily, InstanceAssociationStatus[]> = { patch: [], inventory: [], other: [] };
  for (const association of snapshot.associationStatuses ?? []) {
    associationsByFamily[documentFamily(association.Name)].push(association);
  }

  const patchCommands = (snapshot.commandInvocations ?? [])
    .filter((invocation) => documentFamily(invocation.DocumentName) === 'patch')
    .sort((a, b) => (parseTime(b.RequestedDateTime)?.getTime() ?? 0) - (parseTime(a.RequestedDateTime)?.getTime() ?? 0));

  const pingStatus = snapshot.instanceInformation?.PingStatus;
  return {
    snapshot,
    instanceId: snapshot.instanceId,
    region: snapshot.region,
    now: parseTime(snapshot.capturedAt) ?? new Date(),
    platform: platformOf(snapshot),
    pingStatus,
    reachable: snapshot.instanceInformation !== null && (pingStatus === undefined || pingStatus === 'Online'),
    patchState,
    counts,
    patches,
    patchesByState,
    lastPatchOperationEnd: parseTime(patchState?.OperationEndTime),
    associationsByFamily,
    patchCommands,
    complianceItems: snapshot.complianceItems,
    complianceSummaries: snapshot.complianceSummaries,
  };
}

/** Association run outcome: Failed/TimedOut in Status or DetailedStatus, or an ErrorCode. */
export function associationRunFailed(association: InstanceAssociationStatus): boolean {
  const failedWords = new Set(['failed', 'timedout', 'cancelled']);
  return (
    failedWords.has((association.Status ?? '').toLowerCase()) ||
    failedWords.has((association.DetailedStatus ?? '').toLowerCase()) ||
    (typeof association.ErrorCode === 'string' && association.ErrorCode.trim().length > 0)
  );
}

/** Non-compliant items of one compliance type family. */
export function nonCompliantItems(facts: NodeFacts, predicate: (complianceType: string) => boolean): ComplianceItem[] {
  return (facts.complianceItems ?? []).filter(
    (item) => item.Status === 'NON_COMPLIANT' && predicate(item.ComplianceType ?? ''),
  );
}

export function hoursBetween(earlier: Date, later: Date): number {
  return (later.getTime() - earlier.getTime()) / 3_600_000;
}

/** An age as people read it: hours up to 48 h, whole days after (`467 h` reads as `19 days`). */
export function describeAge(hours: number): string {
  return hours <= 48 ? `${Math.floor(hours)} h` : `${Math.floor(hours / 24)} days`;
}
