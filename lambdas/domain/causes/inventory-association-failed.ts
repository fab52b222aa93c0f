/**
 * INVENTORY_ASSOCIATION_FAILED: the AWS-GatherSoftwareInventory association failed, or has been
 * Pending longer than `inventoryStuckMinutes` (its shortest schedule is 30 minutes, AWS-FACTS.md).
 */
import { associationRunFailed, documentFamily, hoursBetween, nonCompliantItems, parseTime } from './facts';
import { agentMessage, associationIdsOf, fromComplianceItem, fromStatus, mergeByAssociationId } from './association-evidence';
import type { CauseRule } from './rule';
import { agentLogPath, linksFor } from './next-steps';
import type { NodeFacts } from './facts';
import type { InstanceAssociationStatus } from '../types';

function stuckPending(facts: NodeFacts, association: InstanceAssociationStatus, stuckMinutes: number): boolean {
  const pending = [association.Status, association.DetailedStatus].some((status) => (status ?? '').toLowerCase() === 'pending');
  if (!pending) return false;
  const since = parseTime(association.ExecutionDate);
  return since !== null && hoursBetween(since, facts.now) * 60 > stuckMinutes;
}

export const InventoryAssociationFailedCause: CauseRule = {
  code: 'INVENTORY_ASSOCIATION_FAILED',
  evaluate(facts, { settings }) {
    const statuses = facts.associationsByFamily.inventory.filter(
      (association) => associationRunFailed(association) || stuckPending(facts, association, settings.inventoryStuckMinutes),
    );
    const items = nonCompliantItems(facts, (type) => type === 'Association').filter(
      (item) => documentFamily(item.Details?.['DocumentName']) === 'inventory',
    );
    const entries = mergeByAssociationId([...statuses.map(fromStatus), ...items.map(fromComplianceItem)]);
    if (entries.length === 0) return null;
    const associationIds = associationIdsOf(entries);
    const rerun = settings.rerunFailedAssociations && associationIds.length > 0;
    const first = entries[0];
    const stuck = first?.status?.toLowerCase() === 'pending' || first?.detailedStatus?.toLowerCase() === 'pending';
    return {
      code: 'INVENTORY_ASSOCIATION_FAILED',
      remediation: rerun ? 'RERUN_ASSOCIATION' : 'NOTIFY',
      severity: 'LOW',
      summary: stuck
        ? `AWS-GatherSoftwareInventory association has been Pending since ${first?.executionDate ?? '?'} (over ${settings.inventoryStuckMinutes} min)`
        : `AWS-GatherSoftwareInventory association failed${first?.errorCode ? ` (error code ${first.errorCode})` : ''}${first?.detailedStatus ? `: ${first.detailedStatus}` : ''}`,
      ...agentMessage(first),
      evidence: { associations: entries.slice(0, 10), inventoryStuckMinutes: settings.inventoryStuckMinutes },
      nextSteps: [
        'Open the association execution history and the failed run\'s output',
        `Check the agent log ${agentLogPath(facts.platform)}: a long-running document (e.g. a patch Install) blocks the agent's queue`,
        'Check only one inventory association targets the node (a second one fails with "already associated")',
        'Re-run it (Apply association now / StartAssociationsOnce) once the cause is fixed',
      ],
      consoleLinks: linksFor(facts, ['node'], { associationIds: associationIds.slice(0, 5) }),
      ...(rerun ? { associationIds } : {}),
    };
  },
};
