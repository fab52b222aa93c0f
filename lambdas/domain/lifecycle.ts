/**
 * Lifecycle events other teams can subscribe to (EventBridge, source `ssm-compliance-autopilot`).
 * Pure shapes and builders; the EventBridge adapter sends them with PutEvents.
 */
import type { CauseCode, RemediationAction } from './types';

export const LIFECYCLE_SOURCE = 'ssm-compliance-autopilot';

export const LIFECYCLE_DETAIL_TYPES = [
  'Remediation Started',
  'Remediation Succeeded',
  'Remediation Failed',
  'Remediation Deferred',
  'Remediation Exhausted',
] as const;
export type LifecycleDetailType = (typeof LIFECYCLE_DETAIL_TYPES)[number];

export interface LifecycleDetail {
  instanceId: string;
  action: RemediationAction;
  causes: CauseCode[];
  commandId?: string;
  /** One readable line: why it started, was deferred, failed... */
  reason: string;
  account?: string;
  region?: string;
}

export interface LifecycleEvent {
  detailType: LifecycleDetailType;
  detail: LifecycleDetail;
  /** Event time (ISO); PutEvents uses the call time when absent. */
  time?: string;
}

/** A PutEvents entry as plain data (the SDK's PutEventsRequestEntry shape). */
export interface LifecycleEntry {
  Source: string;
  DetailType: LifecycleDetailType;
  Detail: string;
  EventBusName: string;
  Resources: string[];
  Time?: Date;
}

/** EventBridge `resources` of a node: the EC2 instance ARN, or the managed-instance ARN for hybrid `mi-` nodes. */
export function nodeResourceArn(instanceId: string, account?: string, region?: string, partition = 'aws'): string | null {
  if (!account || !region) return null;
  return instanceId.startsWith('mi-')
    ? `arn:${partition}:ssm:${region}:${account}:managed-instance/${instanceId}`
    : `arn:${partition}:ec2:${region}:${account}:instance/${instanceId}`;
}

export function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function toLifecycleEntry(event: LifecycleEvent, eventBusName: string): LifecycleEntry {
  const { detail } = event;
  const arn = nodeResourceArn(detail.instanceId, detail.account, detail.region, partitionOf(detail.region));
  const cleanDetail: LifecycleDetail = {
    instanceId: detail.instanceId,
    action: detail.action,
    causes: detail.causes,
    ...(detail.commandId ? { commandId: detail.commandId } : {}),
    reason: detail.reason,
    ...(detail.account ? { account: detail.account } : {}),
    ...(detail.region ? { region: detail.region } : {}),
  };
  return {
    Source: LIFECYCLE_SOURCE,
    DetailType: event.detailType,
    Detail: JSON.stringify(cleanDetail),
    EventBusName: eventBusName,
    Resources: arn ? [arn] : [],
    ...(event.time ? { Time: new Date(event.time) } : {}),
  };
}
