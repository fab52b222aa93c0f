/**
 * Batch coalescing: the triage reads each node once per batch, however many of the batch's records
 * name it, so the intake results are folded per node (message IDs for batch item failures, triggers,
 * native statuses, and whether any record may change compliance). Pure.
 */
import type { IntakeResult, IntakeTrigger, NativeComplianceStatus } from './types';

/** All intake of one node inside a batch, duplicates folded together. */
export interface CoalescedNode {
  instanceId: string;
  /** Every SQS messageId that mentioned the node (a batch item failure must name all of them). */
  messageIds: string[];
  eventIds: string[];
  triggers: IntakeTrigger[];
  /** Native statuses seen in the batch, without repeats, in arrival order. */
  complianceStatuses: NativeComplianceStatus[];
  /** OR over the node's records: one record that may change compliance is enough. */
  mayChangeCompliance: boolean;
}

/** Folds the batch's node results per node, in order of first appearance; other kinds are skipped. */
export function coalesceByNode(results: readonly IntakeResult[]): CoalescedNode[] {
  const byNode = new Map<string, CoalescedNode>();
  for (const result of results) {
    if (result.kind !== 'node') continue;
    let node = byNode.get(result.instanceId);
    if (!node) {
      node = {
        instanceId: result.instanceId,
        messageIds: [],
        eventIds: [],
        triggers: [],
        complianceStatuses: [],
        mayChangeCompliance: false,
      };
      byNode.set(result.instanceId, node);
    }
    pushUnique(node.messageIds, result.messageId);
    pushUnique(node.eventIds, result.eventId);
    pushUnique(node.triggers, result.trigger);
    if (result.complianceStatus) pushUnique(node.complianceStatuses, result.complianceStatus);
    node.mayChangeCompliance ||= result.mayChangeCompliance;
  }
  return [...byNode.values()];
}

function pushUnique<T>(list: T[], value: T): void {
  if (!list.includes(value)) list.push(value);
}
