/**
 * Alert vocabulary: what the triage, follow-up and sweep hand to the notifier, and what the pure
 * composer turns it into. No SDK import: the SNS adapter maps a `ComposedAlert` onto Publish.
 */
import type { CauseCode, Decision, Diagnosis, RemediationAction, Severity } from '../types';

export const ALERT_KINDS = [
  'DIAGNOSIS',
  'REMEDIATION_EXHAUSTED',
  'REMEDIATION_DEFERRED',
  'RESOLVED',
  'PATCH_OPERATION_FAILED',
  /** The daily reminder of a paused pipeline (`paused.ts`). */
  'AUTOPILOT_PAUSED',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Where the pipeline runs: account and region go into message attributes and console links. */
export interface AlertEnvironment {
  account?: string;
  region?: string;
}

/** Why a deferral happened (the guard that said "not now"). */
export type DeferralGuard = 'CALENDAR_CLOSED' | 'REMEDIATION_CAP' | 'REBOOT_CAP' | 'NODE_TOO_YOUNG' | 'COOLDOWN';

/** What the guards let happen to a decision: the "what was done and why" part of an alert. */
export type ActionOutcome =
  | { kind: 'COMMAND_SENT'; commandId: string }
  | { kind: 'ASSOCIATIONS_STARTED'; associationIds: string[] }
  | { kind: 'DRY_RUN' }
  | { kind: 'NOTIFIED' }
  | { kind: 'DEFERRED'; guard: DeferralGuard; reason: string }
  | { kind: 'EXHAUSTED'; attempts: number; windowHours: number; reason: string }
  | { kind: 'SKIPPED'; reason: string };

/** A diagnosis alert (also the exhausted and deferred ones: the outcome tells them apart). */
export interface DiagnosisAlertInput {
  diagnosis: Diagnosis;
  decision: Decision;
  outcome: ActionOutcome;
}

/** One message when a node that was alerted became compliant. */
export interface ResolvedAlertInput {
  instanceId: string;
  nodeName?: string;
  /** Causes that had been alerted and are gone now. */
  resolvedCauses: CauseCode[];
  /** When the compliant state was read (ISO). */
  capturedAt: string;
  /** Region of the node, when it differs from the pipeline's (console links). */
  region?: string;
}

/** GetCommandInvocation result of a remediation command that did not succeed. */
export interface CommandFailedAlertInput {
  instanceId: string;
  nodeName?: string;
  commandId: string;
  documentName: string;
  /** Terminal status from the status-change event: Failed | TimedOut | Cancelled. */
  status: string;
  /** What the command was sent for. */
  action?: RemediationAction;
  causes?: CauseCode[];
  requestedDateTime?: string;
  /** GetCommandInvocation fields; absent when the invocation could not be read. */
  statusDetails?: string;
  responseCode?: number;
  standardErrorContent?: string;
  standardOutputContent?: string;
  /** Why the invocation output is missing (read failed), so the alert can say so. */
  outputUnavailableReason?: string;
  platform?: string;
  region?: string;
}

/** Message attributes for SNS subscription filter policies (all String). */
export interface AlertAttributes {
  kind: AlertKind;
  cause: string;
  severity: Severity;
  action: string;
  instance: string;
  account: string;
  region: string;
}

export interface ComposedAlert {
  kind: AlertKind;
  /** < 100 characters, no line breaks or control characters (SNS Publish Subject constraint). */
  subject: string;
  /** Text for email / default subscribers. */
  text: string;
  /** Document for machine subscribers (sqs, lambda, http, https). */
  document: AlertDocument;
  attributes: AlertAttributes;
}

export interface AlertDocument {
  schemaVersion: 1;
  kind: AlertKind;
  instanceId: string;
  /** The Name tag. */
  nodeName: string | null;
  /** The hostname, set only when the node has no Name tag (diagnosis alerts). */
  hostname?: string | null;
  account: string | null;
  region: string | null;
  severity: Severity;
  action: string;
  dryRun: boolean;
  outcome: Record<string, unknown>;
  causes: Array<{ code: string; severity: string; summary: string; evidence: unknown; nextSteps: string[]; fingerprint: string }>;
  nextSteps: string[];
  consoleLinks: Array<{ label: string; url: string }>;
  /** True when evidence or output excerpts were cut to keep the message under the SNS size limit. */
  truncated: boolean;
  [extra: string]: unknown;
}
