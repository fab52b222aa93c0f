/** FAILED_PATCHES: an Install ran but some approved patches failed to install (FailedCount > 0). */
import { patchListEvidence } from '../patch-state';
import type { CauseRule } from './rule';
import { agentLogPath, linksFor, patchLogHint, repositoryHint } from './next-steps';
import { patchCauseSeverity } from './patch-severity';

export const FailedPatchesCause: CauseRule = {
  code: 'FAILED_PATCHES',
  evaluate(facts) {
    const failedCount = facts.counts.failed;
    if (failedCount === 0) return null;
    const failed = facts.patchesByState.get('Failed') ?? [];
    const severity = patchCauseSeverity(facts, failed, 'HIGH');
    return {
      code: 'FAILED_PATCHES',
      remediation: 'NOTIFY',
      severity,
      summary: `${failedCount} patch${failedCount === 1 ? '' : 'es'} failed to install during the last Install (node-specific problem)`,
      evidence: {
        failedCount,
        operation: facts.patchState?.Operation ?? null,
        operationEndTime: facts.patchState?.OperationEndTime ?? null,
        failedPatches: patchListEvidence(failed),
      },
      nextSteps: [
        patchLogHint(facts.platform, facts.instanceId, undefined, facts.snapshot.instanceInformation?.PlatformName),
        `Check the agent log ${agentLogPath(facts.platform)}`,
        facts.platform === 'Windows'
          ? 'Check free disk space and pending Windows servicing operations (DISM /Online /Cleanup-Image /ScanHealth)'
          : 'Check free disk space, package conflicts and locked package databases on the node',
        repositoryHint(facts.platform, facts.snapshot.instanceInformation?.PlatformName),
        'Retrying the same Install usually fails the same way: fix the node first, then run AWS-RunPatchBaseline Install',
      ],
      consoleLinks: linksFor(facts, ['patches', 'commands']),
    };
  },
};
