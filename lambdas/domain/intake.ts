/**
 * Intake: turns one SQS record (whose body is the EventBridge event the rules delivered) into the
 * node it concerns, or says why it does not concern one. Pure: no AWS SDK, no I/O.
 *
 * The payload is only trusted for the node ID (and as a hint that a read may be skipped): the
 * triage re-reads the node's state from SSM before deciding anything (AWS-FACTS "Events": anyone
 * with ssm:PutComplianceItems can write arbitrary items for any node).
 */
// Namespace import: `import { z }` keeps zod's whole namespace object (all locales, ~450 KB minified) in the Lambda bundle; this form lets esbuild tree-shake it (~85 KB).
import * as z from 'zod/mini';
import { lazySchema } from './lazy-schema';
import { formatZodIssues } from './settings';

export type IntakeTrigger = 'PutInventory' | 'PutComplianceItems' | 'ComplianceStateChange';
export type NativeComplianceStatus = 'compliant' | 'non_compliant';

export interface SqsRecordLike {
  messageId: string;
  body: string;
}

export interface IntakeContext {
  /** IAM role names of the pipeline's own functions: their calls are dropped (no feedback loop). */
  ownRoleNames: readonly string[];
}

export interface NodeIntake {
  kind: 'node';
  messageId: string;
  eventId: string;
  instanceId: string;
  trigger: IntakeTrigger;
  /** Only on native "Configuration Compliance State Change" events. */
  complianceStatus?: NativeComplianceStatus;
  /** False only when the payload positively shows the call cannot change compliance. */
  mayChangeCompliance: boolean;
}

export interface IgnoredIntake {
  kind: 'ignored';
  messageId: string;
  eventId: string;
  reason: string;
}

export interface MalformedIntake {
  kind: 'malformed';
  messageId: string;
  eventId?: string;
  error: string;
}

export type IntakeResult = NodeIntake | IgnoredIntake | MalformedIntake;

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

// ---------------------------------------------------------------------------------------------
// Event shapes (only the fields we read; everything else passes through untouched)
// ---------------------------------------------------------------------------------------------

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const COMPLIANCE_CHANGE_DETAIL_TYPE = 'Configuration Compliance State Change';

/** Inventory types whose upload can change a node's patch/association compliance (AWS-FACTS table). */
export const COMPLIANCE_INVENTORY_TYPES: readonly string[] = [
  'AWS:ComplianceItem',
  'AWS:PatchSummary',
  'AWS:ComplianceSummary',
];

// Each schema is built on its first use (lazy-schema.ts), so an event builds only the schemas of its
// own shape; and the leaf schemas are shared (zod schemas are immutable values), which halves what a
// first event builds: construction, not parsing, is what a cold start pays for (docs/PERFORMANCE.md).
const leaves = lazySchema(() => ({
  text: z.string().check(z.minLength(1)),
  optionalString: z.optional(z.string()),
  anyRecord: z.record(z.string(), z.unknown()),
}));

// EventBridge envelope: https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html
const envelopeSchema = lazySchema(() => {
  const { text, optionalString, anyRecord } = leaves();
  return z.object({
    version: optionalString,
    id: text,
    'detail-type': text,
    source: text,
    account: optionalString,
    time: optionalString,
    region: optionalString,
    detail: anyRecord,
  });
});

// CloudTrail record contents: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
const cloudTrailDetailSchema = lazySchema(() => {
  const { text, optionalString, anyRecord } = leaves();
  const sessionIssuer = z.optional(z.object({ type: optionalString, userName: optionalString, arn: optionalString }));
  return z.object({
    eventSource: text,
    eventName: text,
    userIdentity: z.optional(
      z.object({
        type: optionalString,
        principalId: optionalString,
        arn: optionalString,
        sessionContext: z.optional(z.object({ sessionIssuer })),
      }),
    ),
    // CloudTrail may omit or truncate large request parameters: every field below is optional.
    requestParameters: z.nullish(anyRecord),
  });
});
type CloudTrailDetail = z.infer<ReturnType<typeof cloudTrailDetailSchema>>;

const putInventoryParametersSchema = lazySchema(() => {
  const { optionalString } = leaves();
  return z.object({
    instanceId: optionalString,
    items: z.optional(z.array(z.looseObject({ typeName: optionalString }))),
  });
});

const putComplianceItemsParametersSchema = lazySchema(() => {
  const { optionalString } = leaves();
  return z.object({
    resourceId: optionalString,
    resourceType: optionalString,
    items: z.optional(z.array(z.unknown())),
    itemContentHash: optionalString,
  });
});

// Native event: AWS-FACTS "Native Configuration Compliance State Change" (statuses lower case).
const complianceChangeDetailSchema = lazySchema(() => {
  const { text, optionalString } = leaves();
  return z.object({
    'resource-type': text,
    'resource-id': optionalString,
    'compliance-type': optionalString,
    'compliance-status': z.enum(['compliant', 'non_compliant']),
  });
});

// ---------------------------------------------------------------------------------------------
// Node IDs
// ---------------------------------------------------------------------------------------------

/** EC2 instance IDs: 8 (legacy) or 17 hex digits; hybrid managed nodes: `mi-` + 17 hex digits. */
const NODE_ID_PATTERN = /^(?:i-(?:[0-9a-f]{8}|[0-9a-f]{17})|mi-[0-9a-f]{17})$/;

export function isManagedNodeId(value: unknown): value is string {
  return typeof value === 'string' && NODE_ID_PATTERN.test(value);
}

/**
 * The node that made the call, from its session name: an instance profile or Default Host
 * Management session is `arn:aws:sts::<acct>:assumed-role/<role>/i-0abc...` with principalId
 * `AROA...:i-0abc...` (AWS-FACTS "Events", caller identity fallback).
 */
export function nodeIdFromCaller(userIdentity: CloudTrailDetail['userIdentity']): string | undefined {
  if (!userIdentity) return undefined;
  const fromArn = userIdentity.arn?.match(/:assumed-role\/[^/]+\/([^/]+)$/)?.[1];
  if (isManagedNodeId(fromArn)) return fromArn;
  const fromPrincipal = userIdentity.principalId?.split(':')[1];
  if (isManagedNodeId(fromPrincipal)) return fromPrincipal;
  return undefined;
}

/** The IAM role that made the call: session issuer name, else the role segment of the assumed-role ARN. */
export function callerRoleName(userIdentity: CloudTrailDetail['userIdentity']): string | undefined {
  if (!userIdentity) return undefined;
  const issuer = userIdentity.sessionContext?.sessionIssuer;
  if (issuer?.type === 'Role' && issuer.userName) return issuer.userName;
  return userIdentity.arn?.match(/:assumed-role\/([^/]+)\//)?.[1];
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

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
    // The agent re-sends unchanged association compliance as a content hash with no items
    // (AWS-FACTS "Where compliance data comes from"): such a call cannot change compliance.
    const hashOnly = itemContentHash !== undefined && items !== undefined && items.length === 0;
    return {
      kind: 'node',
      messageId,
      eventId,
      instanceId,
      trigger: 'PutComplianceItems',
      mayChangeCompliance: !hashOnly,
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

function pickNodeId(fromParameters: string | undefined, userIdentity: CloudTrailDetail['userIdentity']): string | undefined {
  if (isManagedNodeId(fromParameters)) return fromParameters;
  // Only fall back to the caller when the parameter is absent (truncated): a present but foreign ID
  // (e.g. an on-premises server name in a Custom upload) must not be swapped for the caller's node.
  if (fromParameters === undefined) return nodeIdFromCaller(userIdentity);
  return undefined;
}

/**
 * False only when the item type names are all present and none is a compliance type. A missing
 * list or a nameless item (truncated payload) says nothing, so the answer is "may change".
 */
function inventoryMayChangeCompliance(items: Array<{ typeName?: string }> | undefined): boolean {
  if (items === undefined || items.length === 0) return true;
  if (items.some((item) => item.typeName === undefined)) return true;
  return items.some((item) => COMPLIANCE_INVENTORY_TYPES.includes(item.typeName as string));
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

// ---------------------------------------------------------------------------------------------
// Coalescing
// ---------------------------------------------------------------------------------------------

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
