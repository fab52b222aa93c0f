/**
 * Patch `State` normalisation and patch-list helpers. Pure.
 *
 * DescribeInstancePatches returns `State` in two spellings: the service model enumerates
 * `INSTALLED_PENDING_REBOOT`, real responses say `InstalledPendingReboot` (AWS-FACTS.md). Both map
 * to one canonical value here, so no rule ever compares raw strings.
 */
import type { PatchComplianceData, Severity } from './types';

export const PATCH_STATES = [
  'Installed',
  'InstalledOther',
  'InstalledPendingReboot',
  'InstalledRejected',
  'Missing',
  'NotApplicable',
  'Failed',
  'AvailableSecurityUpdate',
] as const;
export type PatchState = (typeof PATCH_STATES)[number] | 'Unknown';

const STATE_BY_FOLDED_NAME = new Map<string, PatchState>(
  PATCH_STATES.map((state) => [state.toLowerCase(), state]),
);

/** `INSTALLED_PENDING_REBOOT`, `InstalledPendingReboot`, `installed-pending-reboot` -> `InstalledPendingReboot`. */
export function normalizePatchState(raw: string | undefined | null): PatchState {
  if (!raw) return 'Unknown';
  const folded = raw.replace(/[\s_-]/g, '').toLowerCase();
  return STATE_BY_FOLDED_NAME.get(folded) ?? 'Unknown';
}

export function patchesInState(patches: readonly PatchComplianceData[], state: PatchState): PatchComplianceData[] {
  return patches.filter((patch) => normalizePatchState(patch.State) === state);
}

/**
 * Vendor severities -> our scale. Windows: Critical/Important/Moderate/Low; Amazon Linux (ALAS):
 * Critical/Important/Medium/Low; Ubuntu/Debian priorities: Critical/High/Medium/Low/Negligible/Untriaged;
 * RHEL/SUSE: Critical/Important/Moderate/Low. `Unspecified`/empty -> null (no signal).
 */
export function vendorSeverity(raw: string | undefined | null): Severity | null {
  switch ((raw ?? '').trim().toLowerCase()) {
    case 'critical':
      return 'CRITICAL';
    case 'important':
    case 'high':
      return 'HIGH';
    case 'moderate':
    case 'medium':
      return 'MEDIUM';
    case 'low':
      return 'LOW';
    case 'negligible':
    case 'informational':
      return 'INFORMATIONAL';
    default:
      return null;
  }
}

const SEVERITY_RANK: Record<Severity, number> = { CRITICAL: 5, HIGH: 4, MEDIUM: 3, LOW: 2, INFORMATIONAL: 1 };

export function maxSeverity(severities: ReadonlyArray<Severity | null | undefined>, fallback: Severity): Severity {
  let best: Severity | null = null;
  for (const severity of severities) {
    if (severity && (best === null || SEVERITY_RANK[severity] > SEVERITY_RANK[best])) best = severity;
  }
  return best ?? fallback;
}

export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity];
}

/** Compliance severities (CRITICAL|HIGH|MEDIUM|LOW|INFORMATIONAL|UNSPECIFIED) -> ours; UNSPECIFIED -> null. */
export function complianceSeverity(raw: string | undefined | null): Severity | null {
  const upper = (raw ?? '').trim().toUpperCase();
  return upper === 'CRITICAL' || upper === 'HIGH' || upper === 'MEDIUM' || upper === 'LOW' || upper === 'INFORMATIONAL'
    ? upper
    : null;
}

/** At most this many patches are listed in evidence; the total is always given. */
export const EVIDENCE_LIST_CAP = 10;

export interface PatchEvidence {
  title: string;
  kbId?: string;
  classification?: string;
  severity?: string;
  cveIds?: string[];
  installedTime?: string;
}

export interface PatchListEvidence {
  total: number;
  /** Most severe first, capped at EVIDENCE_LIST_CAP. */
  patches: PatchEvidence[];
  /** True when `patches` lists fewer than `total`. */
  truncated: boolean;
  /** Distinct CVE IDs over all listed patches (capped). */
  cveIds: string[];
}

export function splitCveIds(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(/[\s,]+/)
    .map((cve) => cve.trim())
    .filter((cve) => cve.length > 0);
}

export function patchListEvidence(patches: readonly PatchComplianceData[], cap = EVIDENCE_LIST_CAP): PatchListEvidence {
  const ranked = [...patches].sort(
    (a, b) => rankOf(vendorSeverity(b.Severity)) - rankOf(vendorSeverity(a.Severity)),
  );
  const listed = ranked.slice(0, cap).map((patch): PatchEvidence => {
    const cveIds = splitCveIds(patch.CVEIds);
    return {
      title: patch.Title ?? patch.KBId ?? '(untitled patch)',
      ...(patch.KBId ? { kbId: patch.KBId } : {}),
      ...(patch.Classification ? { classification: patch.Classification } : {}),
      ...(patch.Severity ? { severity: patch.Severity } : {}),
      ...(cveIds.length > 0 ? { cveIds } : {}),
      // SSM returns epoch 0 for a patch that was never installed: absent means absent, not 1970-01-01.
      ...(isRealTime(patch.InstalledTime) ? { installedTime: patch.InstalledTime } : {}),
    };
  });
  const allCves = [...new Set(ranked.flatMap((patch) => splitCveIds(patch.CVEIds)))];
  return {
    total: patches.length,
    patches: listed,
    truncated: patches.length > listed.length,
    cveIds: allCves.slice(0, cap * 2),
  };
}

function rankOf(severity: Severity | null): number {
  return severity ? SEVERITY_RANK[severity] : 0;
}

/** A timestamp that says something: parseable and after 1970-01-02 (SSM fills absent times with epoch 0). */
export function isRealTime(value: string | undefined): value is string {
  if (!value) return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && time > 86_400_000;
}
