/**
 * SECURITY_UPDATES_NOT_APPROVED (Windows only): security updates are available but not approved
 * by the baseline (AvailableSecurityUpdateCount > 0).
 *
 * These only make a node non-compliant when the baseline's AvailableSecurityUpdatesComplianceStatus is
 * NON_COMPLIANT (AWS-FACTS.md, UpdatePatchBaseline). Decision:
 *  - evidence the baseline counts them as NON_COMPLIANT (the patch rollups count more non-compliant
 *    patches than Missing+Failed+PendingReboot+Rejected explain, a NON_COMPLIANT Patch compliance item
 *    names such a patch, or Patch compliance is NON_COMPLIANT with no other patch cause) -> the cause,
 *    severity from the updates themselves (default HIGH);
 *  - evidence the baseline counts them as COMPLIANT (compliance was read and Patch is not
 *    NON_COMPLIANT) -> no cause; the diagnosis carries a note instead (see diagnose.ts);
 *  - no evidence either way (hand-written snapshot without compliance data) -> the cause with
 *    severity LOW, saying the baseline setting could not be confirmed.
 */
import { normalizePatchState, patchListEvidence } from '../patch-state';
import type { NodeFacts } from './facts';
import type { CauseRule } from './rule';
import { linksFor } from './next-steps';
import { patchCauseSeverity } from './patch-severity';

export type SecurityUpdateCompliance = 'NON_COMPLIANT' | 'COMPLIANT' | 'UNKNOWN';

export function securityUpdateCompliance(facts: NodeFacts): SecurityUpdateCompliance {
  const { counts } = facts;
  const explainedByOtherStates = counts.missing + counts.failed + counts.pendingReboot + counts.rejected;
  const rollupTotal = counts.criticalNonCompliant + counts.securityNonCompliant + counts.otherNonCompliant;
  if (counts.hasRollups && rollupTotal > explainedByOtherStates) return 'NON_COMPLIANT';

  const patchItems = (facts.complianceItems ?? []).filter((item) => item.ComplianceType === 'Patch');
  const availableIds = new Set(
    (facts.patchesByState.get('AvailableSecurityUpdate') ?? []).flatMap((patch) => [patch.KBId, patch.Title]),
  );
  const itemNamesAvailableUpdate = patchItems.some(
    (item) =>
      item.Status === 'NON_COMPLIANT' &&
      (normalizePatchState(item.Details?.['PatchState']) === 'AvailableSecurityUpdate' ||
        availableIds.has(item.Id) ||
        availableIds.has(item.Title)),
  );
  if (itemNamesAvailableUpdate) return 'NON_COMPLIANT';

  const patchSummaryNonCompliant = (facts.complianceSummaries ?? []).some(
    (summary) => summary.ComplianceType === 'Patch' && summary.Status === 'NON_COMPLIANT',
  );
  const patchItemNonCompliant = patchItems.some((item) => item.Status === 'NON_COMPLIANT');
  if ((patchSummaryNonCompliant || patchItemNonCompliant) && explainedByOtherStates === 0) return 'NON_COMPLIANT';

  const summariesSayCompliant = facts.complianceSummaries !== undefined && !patchSummaryNonCompliant;
  const itemsSayCompliant = patchItems.length > 0 && !patchItemNonCompliant;
  if (summariesSayCompliant || itemsSayCompliant) return 'COMPLIANT';
  return 'UNKNOWN';
}

export const SecurityUpdatesNotApprovedCause: CauseRule = {
  code: 'SECURITY_UPDATES_NOT_APPROVED',
  evaluate(facts) {
    const available = facts.counts.availableSecurityUpdates;
    if (available === 0 || facts.platform !== 'Windows') return null;
    const compliance = securityUpdateCompliance(facts);
    if (compliance === 'COMPLIANT') return null;
    const updates = facts.patchesByState.get('AvailableSecurityUpdate') ?? [];
    const severity = compliance === 'NON_COMPLIANT' ? patchCauseSeverity(facts, updates, 'HIGH') : 'LOW';
    return {
      code: 'SECURITY_UPDATES_NOT_APPROVED',
      remediation: 'NOTIFY',
      severity,
      summary:
        compliance === 'NON_COMPLIANT'
          ? `${available} Windows security update${available === 1 ? ' is' : 's are'} available but not approved by the baseline`
          : `${available} Windows security update${available === 1 ? ' is' : 's are'} available but not approved (baseline compliance setting not confirmed)`,
      evidence: {
        availableSecurityUpdateCount: available,
        baselineCountsThemAs: compliance,
        baselineId: facts.patchState?.BaselineId ?? null,
        availableSecurityUpdates: patchListEvidence(updates),
      },
      nextSteps: [
        'Review the updates: approve them in the patch baseline (approval rules or explicit approved patches) so the next Install applies them',
        'Or, if they are deliberately held back, set the baseline\'s AvailableSecurityUpdatesComplianceStatus to COMPLIANT',
        'Installing patches now would not apply them: the baseline does not approve them',
      ],
      consoleLinks: linksFor(facts, ['patches', 'compliance']),
    };
  },
};
