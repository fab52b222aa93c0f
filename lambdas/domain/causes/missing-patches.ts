/**
 * MISSING_PATCHES: approved patches not installed (MissingCount > 0). Calls for an Install.
 * A RunPatchBaseline-family association that is NON_COMPLIANT because of this is the same cause,
 * not ASSOCIATION_FAILED (association-failed.ts leaves patch documents alone).
 */
import { patchListEvidence } from '../patch-state';
import type { CauseRule } from './rule';
import { linksFor, repositoryHint } from './next-steps';
import { patchCauseSeverity } from './patch-severity';

export const MissingPatchesCause: CauseRule = {
  code: 'MISSING_PATCHES',
  evaluate(facts) {
    const missingCount = facts.counts.missing;
    if (missingCount === 0) return null;
    const missing = facts.patchesByState.get('Missing') ?? [];
    const severity = patchCauseSeverity(facts, missing, 'MEDIUM');
    return {
      code: 'MISSING_PATCHES',
      remediation: 'INSTALL_PATCHES',
      severity,
      summary: `${missingCount} approved patch${missingCount === 1 ? ' is' : 'es are'} missing (worst severity ${severity})`,
      evidence: {
        missingCount,
        criticalNonCompliantCount: facts.counts.criticalNonCompliant,
        securityNonCompliantCount: facts.counts.securityNonCompliant,
        baselineId: facts.patchState?.BaselineId ?? null,
        lastOperation: facts.patchState?.Operation ?? null,
        operationEndTime: facts.patchState?.OperationEndTime ?? null,
        missingPatches: patchListEvidence(missing),
      },
      nextSteps: [
        'Run AWS-RunPatchBaseline with Operation=Install (RebootOption=RebootIfNeeded) in a maintenance window',
        'If an Install ran recently, check whether these patches were approved after it (auto-approval is 7 days after release by default)',
        repositoryHint(facts.platform, facts.snapshot.instanceInformation?.PlatformName),
      ],
      consoleLinks: linksFor(facts, ['patches', 'compliance']),
    };
  },
};
