/** PATCH_SCAN_MISSING (ours): an Online node has never reported a patch operation. */
import type { CauseRule } from './rule';
import { linksFor } from './next-steps';

export const PatchScanMissingCause: CauseRule = {
  code: 'PATCH_SCAN_MISSING',
  evaluate(facts) {
    if (!facts.reachable || facts.patchState !== null) return null;
    return {
      code: 'PATCH_SCAN_MISSING',
      remediation: 'NOTIFY',
      severity: 'MEDIUM',
      summary: 'Node has no patch compliance data: no AWS-RunPatchBaseline Scan or Install has ever reported for it',
      evidence: {
        patchState: null,
        registrationDate: facts.snapshot.instanceInformation?.RegistrationDate ?? null,
        platformName: facts.snapshot.instanceInformation?.PlatformName ?? null,
      },
      nextSteps: [
        'Check a patch policy (Quick Setup) or an AWS-RunPatchBaseline association / maintenance window targets this node',
        'Run AWS-RunPatchBaseline with Operation=Scan once to get its compliance',
      ],
      consoleLinks: linksFor(facts, ['node', 'compliance']),
    };
  },
};
