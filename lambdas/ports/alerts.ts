/**
 * Alert and lifecycle ports: messages to people (implemented by `adapters/sns-notifier.ts`) and
 * lifecycle events to EventBridge (implemented by `adapters/eventbridge-publisher.ts`). No SDK import here.
 */
import type {
  CommandFailedAlertInput,
  DiagnosisAlertInput,
  ResolvedAlertInput,
} from '../domain/alerts/types';
import type { PausedAlertInput } from '../domain/alerts/paused';
import type { LifecycleEvent } from '../domain/lifecycle';

export interface AlertReceipt {
  /** SNS MessageId. */
  messageId: string;
  subject: string;
}

/**
 * Sends alerts. Deduplication (same node + cause + evidence at most once per `alertRepeatHours`) is
 * the caller's job with the ledger, keyed by `causeFingerprint` from `domain/alerts/fingerprint.ts`;
 * the notifier sends what it is given. Errors propagate (the caller decides to retry or count).
 */
export interface AlertNotifier {
  /** Notify / act alerts: the outcome says what was done (command sent, dry run, notified, skipped). */
  notifyDiagnosis(input: DiagnosisAlertInput): Promise<AlertReceipt>;
  /** REMEDIATION_EXHAUSTED: input.outcome.kind === 'EXHAUSTED'. */
  notifyExhausted(input: DiagnosisAlertInput): Promise<AlertReceipt>;
  /** Deferred (calendar CLOSED, caps, young node): input.outcome.kind === 'DEFERRED'. See `deferralNeedsAlert`. */
  notifyDeferred(input: DiagnosisAlertInput): Promise<AlertReceipt>;
  /** One message when an alerted node became compliant. */
  notifyResolved(input: ResolvedAlertInput): Promise<AlertReceipt>;
  /** PATCH_OPERATION_FAILED from the follow-up, with an excerpt of the command output. */
  notifyCommandFailed(input: CommandFailedAlertInput): Promise<AlertReceipt>;
}

/** The daily reminder of a paused pipeline (sent by the sweep, deduplicated with `NoticeLedger`). */
export interface PauseNotifier {
  notifyPaused(input: PausedAlertInput): Promise<AlertReceipt>;
}

export interface LifecyclePublisher {
  /** Publishes in chunks of 10; failed entries are logged and counted and returned, never thrown. */
  publish(events: readonly LifecycleEvent[]): Promise<{ published: number; failed: Array<{ event: LifecycleEvent; errorCode: string; errorMessage: string }> }>;
}
