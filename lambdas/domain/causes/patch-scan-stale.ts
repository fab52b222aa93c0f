/** PATCH_SCAN_STALE (ours): the last patch operation is older than `staleScanHours`. */
import type { CauseRule } from './rule';
import { describeAge, hoursBetween } from './facts';
import { linksFor } from './next-steps';

export const PatchScanStaleCause: CauseRule = {
  code: 'PATCH_SCAN_STALE',
  evaluate(facts, { settings }) {
    const ended = facts.lastPatchOperationEnd;
    if (!ended) return null;
    const ageHours = hoursBetween(ended, facts.now);
    if (ageHours <= settings.staleScanHours) return null;
    return {
      code: 'PATCH_SCAN_STALE',
      remediation: 'NOTIFY',
      severity: 'LOW',
      summary: `Last patch ${facts.patchState?.Operation ?? 'operation'} ended ${describeAge(ageHours)} ago (limit ${describeAge(settings.staleScanHours)}): compliance data is stale`,
      evidence: {
        operation: facts.patchState?.Operation ?? null,
        operationEndTime: facts.patchState?.OperationEndTime ?? null,
        ageHours: Math.floor(ageHours),
        staleScanHours: settings.staleScanHours,
      },
      nextSteps: [
        'Check the patch policy, association or maintenance window that scans this node still targets it and runs',
        'Run AWS-RunPatchBaseline with Operation=Scan to refresh compliance',
      ],
      consoleLinks: linksFor(facts, ['patches', 'commands']),
    };
  },
};
