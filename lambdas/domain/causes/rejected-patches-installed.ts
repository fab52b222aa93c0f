/**
 * REJECTED_PATCHES_INSTALLED: patches on the baseline's rejected list are installed
 * (InstalledRejectedCount > 0; always 0 when the rejected action is ALLOW_AS_DEPENDENCY).
 */
import { patchListEvidence } from '../patch-state';
import type { CauseRule } from './rule';
import { linksFor, packageManagerOf, rejectedPackages, uninstallKbCommands } from './next-steps';
import { patchCauseSeverity } from './patch-severity';

export const RejectedPatchesInstalledCause: CauseRule = {
  code: 'REJECTED_PATCHES_INSTALLED',
  evaluate(facts) {
    const rejectedCount = facts.counts.rejected;
    if (rejectedCount === 0) return null;
    const rejected = facts.patchesByState.get('InstalledRejected') ?? [];
    return {
      code: 'REJECTED_PATCHES_INSTALLED',
      remediation: 'NOTIFY',
      severity: patchCauseSeverity(facts, rejected, 'MEDIUM'),
      summary: `${rejectedCount} patch${rejectedCount === 1 ? ' that the baseline rejects is' : 'es that the baseline rejects are'} installed`,
      evidence: {
        installedRejectedCount: rejectedCount,
        baselineId: facts.patchState?.BaselineId ?? null,
        rejectedPatches: patchListEvidence(rejected),
      },
      nextSteps: [
        'The patch was installed before it was added to the rejected list: remove (uninstall/downgrade) it on the node, then Scan',
        'Or, if the patch is now acceptable, remove it from the baseline\'s rejected patches list',
        facts.platform === 'Windows'
          ? `Uninstall with: ${uninstallKbCommands(rejected)}`
          : `Downgrade with the package manager: ${packageManagerOf(facts.snapshot.instanceInformation?.PlatformName).downgrade(rejectedPackages(rejected))}`,
      ],
      consoleLinks: linksFor(facts, ['patches']),
    };
  },
};
