/**
 * Ports: what the use cases need from the outside world. Adapters in `lambdas/adapters/`
 * implement them over the AWS SDK; tests and the simulator hand in their own implementations
 * or real adapters over mocked / locally served clients. No SDK import here.
 */
import type { NodeSnapshot } from './domain/types';

/** Why a node could not be read. `retryable` ones go back to the queue (batch item failure). */
export interface NodeReadFailure {
  instanceId: string;
  error: string;
  retryable: boolean;
}

export interface SnapshotReadResult {
  /** One snapshot per node that SSM knows (instanceInformation may still be null for a node with patch data only). */
  snapshots: NodeSnapshot[];
  /** Nodes SSM does not know at all (deregistered, wrong ID): logged and counted, not retried. */
  unknown: string[];
  /** Nodes whose read failed (throttling that outlived the SDK retries, access denied, ...). */
  failed: NodeReadFailure[];
}

export interface ReadOptions {
  /**
   * Called with each node's cheap summary (from the batched calls) before any per-node detail call.
   * Returning false skips the detail calls for that node (e.g. its summary did not change since the
   * last evaluation); the node is then returned in `skipped`.
   */
  needsDetail?: (summary: NodeSummary) => boolean | Promise<boolean>;
}

/** The batched, cheap part of a node's state: read 50 nodes per call. */
export interface NodeSummary {
  instanceId: string;
  instanceInformation: NodeSnapshot['instanceInformation'];
  patchState: NodeSnapshot['patchState'];
  /**
   * NON_COMPLIANT compliance types of the node (batched ListResourceComplianceSummaries, InstanceId
   * filter). Not ListComplianceItems: that API takes one ResourceId per call, so it is a detail call.
   */
  nonCompliantSummaries: NonNullable<NodeSnapshot['complianceSummaries']>;
  tags: Record<string, string>;
  /** Stable hash of everything above that matters for a diagnosis. */
  fingerprint: string;
}

export interface NodeStateReader {
  readSnapshots(instanceIds: string[], options?: ReadOptions): Promise<SnapshotReadResult & { skipped: NodeSummary[] }>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

// ---------------------------------------------------------------------------------------------
// Alerts, lifecycle events, logs/metrics (implemented by adapters/sns-notifier.ts,
// adapters/eventbridge-publisher.ts and the handlers' Powertools sink)
// ---------------------------------------------------------------------------------------------

import type {
  CommandFailedAlertInput,
  DiagnosisAlertInput,
  ResolvedAlertInput,
} from './domain/alerts/types';
import type { LifecycleEvent } from './domain/lifecycle';

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

export interface LifecyclePublisher {
  /** Publishes in chunks of 10; failed entries are logged and counted and returned, never thrown. */
  publish(events: readonly LifecycleEvent[]): Promise<{ published: number; failed: Array<{ event: LifecycleEvent; errorCode: string; errorMessage: string }> }>;
}

/** Logs and metrics as the use cases need them (Powertools in the handlers, a recorder in tests). */
export interface OperationalSink {
  count(metric: string, value?: number): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
