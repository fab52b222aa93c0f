/**
 * PENDING_REBOOT: patches installed with NoReboot wait for a reboot (InstalledPendingRebootCount > 0).
 * The self-healing action is AWS-RunPatchBaseline Install with RebootIfNeeded: a bare reboot does not
 * clear InstalledPendingReboot until the next scan (AWS-FACTS.md, "Acting").
 */
import { patchListEvidence } from '../patch-state';
import type { CauseRule } from './rule';
import { linksFor } from './next-steps';
import { patchCauseSeverity } from './patch-severity';

export const PendingRebootCause: CauseRule = {
  code: 'PENDING_REBOOT',
  evaluate(facts) {
    const pendingCount = facts.counts.pendingReboot;
    if (pendingCount === 0) return null;
    const pending = facts.patchesByState.get('InstalledPendingReboot') ?? [];
    return {
      code: 'PENDING_REBOOT',
      remediation: 'REBOOT_NODE',
      severity: patchCauseSeverity(facts, pending, 'MEDIUM'),
      summary: `${pendingCount} installed patch${pendingCount === 1 ? ' waits' : 'es wait'} for a reboot (installed with NoReboot)`,
      evidence: {
        installedPendingRebootCount: pendingCount,
        lastNoRebootInstallOperationTime: facts.patchState?.LastNoRebootInstallOperationTime ?? null,
        rebootOption: facts.patchState?.RebootOption ?? null,
        pendingRebootPatches: patchListEvidence(pending),
      },
      nextSteps: [
        'Run AWS-RunPatchBaseline with Operation=Install and RebootOption=RebootIfNeeded: it reboots and rescans, which clears the state',
        'A manual reboot alone does not update compliance: run a Scan after it',
        'Plan the reboot with the workload owner if the node is not behind a load balancer or cluster',
      ],
      consoleLinks: linksFor(facts, ['patches', 'commands']),
    };
  },
};
