/**
 * ASSOCIATION_FAILED: a State Manager association that is neither patching nor inventory failed
 * (Status/DetailedStatus Failed, ErrorCode) or its Association compliance item is NON_COMPLIANT.
 * Patch-family associations are left to the patch causes (AWS's runbook: a patching association
 * that is non-compliant because patches are missing is a patch problem), inventory to its own cause.
 */
import { complianceSeverity, maxSeverity } from '../patch-state';
import { associationRunFailed, documentFamily, nonCompliantItems } from './facts';
import { agentMessage, associationIdsOf, fromComplianceItem, fromStatus, mergeByAssociationId } from './association-evidence';
import type { CauseRule } from './rule';
import { agentLogPath, commandOutputPath, linksFor } from './next-steps';

export const AssociationFailedCause: CauseRule = {
  code: 'ASSOCIATION_FAILED',
  evaluate(facts, { settings }) {
    const failedStatuses = facts.associationsByFamily.other.filter(associationRunFailed);
    const items = nonCompliantItems(facts, (type) => type === 'Association').filter(
      (item) => documentFamily(item.Details?.['DocumentName']) === 'other',
    );
    // A COMPLIANT/Success status newer than nothing else can't be judged here; items and failed statuses both count.
    const entries = mergeByAssociationId([...failedStatuses.map(fromStatus), ...items.map(fromComplianceItem)]);
    if (entries.length === 0) return null;
    const associationIds = associationIdsOf(entries);
    const rerun = settings.rerunFailedAssociations && associationIds.length > 0;
    const first = entries[0];
    const names = entries.map((entry) => entry.associationName ?? entry.documentName ?? entry.associationId ?? '?');
    return {
      code: 'ASSOCIATION_FAILED',
      remediation: rerun ? 'RERUN_ASSOCIATION' : 'NOTIFY',
      severity: maxSeverity(items.map((item) => complianceSeverity(item.Severity)), 'MEDIUM'),
      summary: `${entries.length} State Manager association${entries.length === 1 ? '' : 's'} failed or non-compliant: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}${first?.errorCode ? ` (error code ${first.errorCode})` : ''}`,
      ...agentMessage(first),
      evidence: { associationCount: entries.length, associations: entries.slice(0, 10) },
      nextSteps: [
        'Open the association execution history and the failed run\'s output',
        `On the node: ${commandOutputPath(facts.platform, facts.instanceId)} and ${agentLogPath(facts.platform)}`,
        'Check the document\'s parameters and the node\'s permissions (S3 output bucket, KMS, instance profile)',
        settings.rerunFailedAssociations
          ? 'Re-run it with StartAssociationsOnce once the cause is fixed'
          : 'Re-run it (Apply association now / StartAssociationsOnce) once the cause is fixed',
      ],
      consoleLinks: linksFor(facts, ['node'], { associationIds: associationIds.slice(0, 5) }),
      ...(rerun ? { associationIds } : {}),
    };
  },
};
