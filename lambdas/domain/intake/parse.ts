/**
 * Intake: turns one SQS record (whose body is the EventBridge event the rules delivered) into the
 * node it concerns, or says why it does not concern one. Pure: no AWS SDK, no I/O.
 *
 * The payload is only trusted for the node ID (and as a hint that a read may be skipped): the
 * triage re-reads the node's state from SSM before deciding anything (AWS-FACTS "Events": anyone
 * with ssm:PutComplianceItems can write arbitrary items for any node).
 *
 * The event shapes: `event-schemas.ts`; node IDs and the caller's role: `node-ids.ts`; whether a
 * payload can change compliance: `compliance-relevance.ts`; folding a batch per node: `coalesce.ts`.
 */
import { formatZodIssues } from '../settings';
import { complianceItemsMayChangeCompliance, inventoryMayChangeCompliance } from './compliance-relevance';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  cloudTrailDetailSchema,
  COMPLIANCE_CHANGE_DETAIL_TYPE,
  complianceChangeDetailSchema,
  envelopeSchema,
  putComplianceItemsParametersSchema,
  putInventoryParametersSchema,
} from './event-schemas';
import { callerRoleName, isManagedNodeId, pickNodeId } from './node-ids';
import type { IgnoredIntake, IntakeContext, IntakeResult, IntakeTrigger, SqsRecordLike } from './types';

export function parseIntakeRecord(record: SqsRecordLike, ctx: IntakeContext): IntakeResult {
  const { messageId } = record;
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch (error) {
    return { kind: 'malformed', messageId, error: `body is not JSON: ${(error as Error).message}` };
  }

  const envelope = envelopeSchema().safeParse(json);
  if (!envelope.success) {
    return {
      kind: 'malformed',
      messageId,
      eventId: looseEventId(json),
      error: `not an EventBridge event:\n${formatZodIssues(envelope.error)}`,
    };
  }
  const event = envelope.data;
  const eventId = event.id;

  if (event.source !== 'aws.ssm') {
    return { kind: 'ignored', messageId, eventId, reason: `source ${event.source} is not aws.ssm` };
  }
  switch (event['detail-type']) {
    case CLOUDTRAIL_DETAIL_TYPE:
      return parseCloudTrailCall(messageId, eventId, event.detail, ctx);
    case COMPLIANCE_CHANGE_DETAIL_TYPE:
      return parseComplianceChange(messageId, eventId, event.detail);
    default:
      return { kind: 'ignored', messageId, eventId, reason: `detail-type "${event['detail-type']}" is not handled` };
  }
}

function parseCloudTrailCall(
  messageId: string,
  eventId: string,
  rawDetail: Record<string, unknown>,
  ctx: IntakeContext,
): IntakeResult {
  const parsed = cloudTrailDetailSchema().safeParse(rawDetail);
  if (!parsed.success) {
    return { kind: 'malformed', messageId, eventId, error: `CloudTrail detail:\n${formatZodIssues(parsed.error)}` };
  }
  const detail = parsed.data;
  if (detail.eventSource !== 'ssm.amazonaws.com') {
    return { kind: 'ignored', messageId, eventId, reason: `eventSource ${detail.eventSource} is not ssm.amazonaws.com` };
  }
  const role = callerRoleName(detail.userIdentity);
  if (role !== undefined && ctx.ownRoleNames.includes(role)) {
    return { kind: 'ignored', messageId, eventId, reason: `call made by the pipeline's own role ${role}` };
  }
  const parameters = detail.requestParameters ?? {};

  if (detail.eventName === 'PutInventory') {
    const inventory = putInventoryParametersSchema().safeParse(parameters);
    if (!inventory.success) {
      return { kind: 'malformed', messageId, eventId, error: `PutInventory requestParameters:\n${formatZodIssues(inventory.error)}` };
    }
    const instanceId = pickNodeId(inventory.data.instanceId, detail.userIdentity);
    if (!instanceId) return noNodeId(messageId, eventId, 'PutInventory', inventory.data.instanceId);
    return {
      kind: 'node',
      messageId,
      eventId,
      instanceId,
      trigger: 'PutInventory',
      mayChangeCompliance: inventoryMayChangeCompliance(inventory.data.items),
    };
  }

  if (detail.eventName === 'PutComplianceItems') {
    const compliance = putComplianceItemsParametersSchema().safeParse(parameters);
    if (!compliance.success) {
      return { kind: 'malformed', messageId, eventId, error: `PutComplianceItems requestParameters:\n${formatZodIssues(compliance.error)}` };
    }
    const { resourceType, resourceId, items, itemContentHash } = compliance.data;
    // ResourceType "ManagedInstance" is the only value the API documents for nodes; anything else
    // (a custom resource type) is not a node we can patch.
    if (resourceType !== undefined && resourceType !== 'ManagedInstance') {
      return { kind: 'ignored', messageId, eventId, reason: `resourceType ${resourceType} is not ManagedInstance` };
    }
    const instanceId = pickNodeId(resourceId, detail.userIdentity);
    if (!instanceId) return noNodeId(messageId, eventId, 'PutComplianceItems', resourceId);
    return {
      kind: 'node',
      messageId,
      eventId,
      instanceId,
      trigger: 'PutComplianceItems',
      mayChangeCompliance: complianceItemsMayChangeCompliance(items, itemContentHash),
    };
  }

  return { kind: 'ignored', messageId, eventId, reason: `eventName ${detail.eventName} does not carry compliance data` };
}

function parseComplianceChange(messageId: string, eventId: string, rawDetail: Record<string, unknown>): IntakeResult {
  const parsed = complianceChangeDetailSchema().safeParse(rawDetail);
  if (!parsed.success) {
    return { kind: 'malformed', messageId, eventId, error: `compliance change detail:\n${formatZodIssues(parsed.error)}` };
  }
  const detail = parsed.data;
  if (detail['resource-type'] !== 'managed-instance') {
    return { kind: 'ignored', messageId, eventId, reason: `resource-type ${detail['resource-type']} is not managed-instance` };
  }
  const instanceId = detail['resource-id'];
  if (!isManagedNodeId(instanceId)) return noNodeId(messageId, eventId, 'ComplianceStateChange', instanceId);
  return {
    kind: 'node',
    messageId,
    eventId,
    instanceId,
    trigger: 'ComplianceStateChange',
    complianceStatus: detail['compliance-status'],
    // A native event is itself a change of compliance.
    mayChangeCompliance: true,
  };
}

function noNodeId(messageId: string, eventId: string, trigger: IntakeTrigger, seen: string | undefined): IgnoredIntake {
  const reason =
    seen === undefined ? `${trigger}: no managed node ID in the event` : `${trigger}: "${seen}" is not a managed node ID (i-/mi-)`;
  return { kind: 'ignored', messageId, eventId, reason };
}

function looseEventId(json: unknown): string | undefined {
  if (typeof json === 'object' && json !== null && 'id' in json) {
    const id = (json as { id: unknown }).id;
    if (typeof id === 'string' && id.length > 0) return id;
  }
  return undefined;
}
