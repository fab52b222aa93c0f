/**
 * What the intake reads (an SQS record of the triage queue) and what it makes of it: the node the
 * record concerns, or why it concerns none (ignored, malformed). Pure types.
 */

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
