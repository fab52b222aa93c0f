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
  /**
   * Empty in the SSM reader's summaries: tags are read only for the nodes that get a detail read
   * (lambdas/adapters/ssm/node-tags.ts) and arrive on the snapshot (`NodeSnapshot.tags`, Name included).
   */
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
import type { PausedAlertInput } from './domain/alerts/paused';
import type { LifecycleEvent } from './domain/lifecycle';
import type { RuntimeMode } from './domain/policy/runtime-mode';

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

/**
 * The live runtime mode (the stack's mode parameter, briefly cached). Never throws: an unreadable or
 * invalid value is logged, counted and answered with the safest mode (`domain/policy/runtime-mode.ts`).
 */
export interface RuntimeModeSource {
  current(): Promise<RuntimeMode>;
}

/** Logs and metrics as the use cases need them (Powertools in the handlers, a recorder in tests). */
export interface OperationalSink {
  count(metric: string, value?: number): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

// ---------------------------------------------------------------------------------------------
// Remediation ledger, remediator, change calendar (implemented by adapters/dynamo-ledger.ts,
// adapters/ssm-remediator.ts, adapters/ssm-calendar.ts)
// ---------------------------------------------------------------------------------------------

import type { CauseCode, RemediationAction } from './domain/types';
import type { DeferralGuard } from './domain/alerts/types';

/**
 * A node's command slot. Held from just BEFORE SendCommand until the follow-up sees the command end
 * (or the sweep finds it stale). At most one per node; the account-wide caps count them.
 */
export interface CommandLock {
  instanceId: string;
  /** Random per acquisition: a release only removes the lock it acquired. */
  lockToken: string;
  action: RemediationAction;
  causes: CauseCode[];
  /** True when the command may reboot the node (counts against `maxRebootsInFlight`). */
  reboot: boolean;
  /** ISO. */
  acquiredAt: string;
  /** Set once SendCommand returned (or the command was found again by its `sendToken`). */
  commandId?: string;
  /**
   * Written BEFORE SendCommand: the token the command carries (its SnapshotId and the start of its
   * Comment), so a command whose reply was lost, or whose sender died, can be found again in SSM
   * (ListCommandInvocations) and adopted. A lock without it never had a command sent under it.
   */
  sendToken?: string;
  /** ISO: when the send was attempted; the attempt recorded for the lock's causes carries this time. */
  sentAt?: string;
}

export interface AlertMark {
  fingerprint: string;
  /** ISO. */
  sentAt: string;
}

export interface NodeDeferral {
  guard: DeferralGuard;
  reason: string;
  /** ISO, first time this deferral was recorded (kept while the same guard keeps deferring). */
  since: string;
}

/** What the ledger remembers about one node. */
export interface NodeLedgerRecord {
  instanceId: string;
  /** ISO, first time the pipeline evaluated the node. */
  firstSeenAt?: string;
  /** ISO, when the last remediation command ended (cooldown). */
  lastCommandEndedAt?: string;
  /** Remediation attempts per cause: ISO times inside the attempt window. */
  attempts: Partial<Record<CauseCode, string[]>>;
  deferral?: NodeDeferral;
  /** Last alert per key (a cause code, or an alert kind such as REMEDIATION_EXHAUSTED). */
  alerts: Record<string, AlertMark>;
  /** Causes alerted and not resolved yet (one "resolved" message when the node turns compliant). */
  openCauses: CauseCode[];
  /** Summary fingerprint at the last evaluation (NodeSummary.fingerprint) and when that was (ISO). */
  summaryFingerprint?: string;
  lastEvaluatedAt?: string;
  /** ISO, last time the node's state was read from SSM (an evaluation, or a summary found unchanged). */
  lastCheckedAt?: string;
  lock?: CommandLock;
}

export interface InFlightState {
  remediations: number;
  reboots: number;
  locks: CommandLock[];
}

export interface LockRequest {
  instanceId: string;
  action: RemediationAction;
  causes: CauseCode[];
  reboot: boolean;
  now: Date;
  maxRemediationsInFlight: number;
  maxRebootsInFlight: number;
}

export type LockAcquireResult =
  | { acquired: true; lock: CommandLock }
  | { acquired: false; reason: 'IN_FLIGHT' | 'REMEDIATION_CAP' | 'REBOOT_CAP'; holder?: CommandLock };

export interface EvaluationRecord {
  instanceId: string;
  at: Date;
  summaryFingerprint?: string;
  /** A deferral to remember, or null to clear the one recorded. Undefined leaves it as it is. */
  deferral?: Omit<NodeDeferral, 'since'> | null;
}

/**
 * The pipeline's memory. Every write that two handlers could race on is a conditional write: one
 * lock per node, caps held under concurrency, one alert per fingerprint, one "resolved" message.
 */
export interface RemediationLedger {
  readNodes(instanceIds: readonly string[]): Promise<Map<string, NodeLedgerRecord>>;
  readInFlight(): Promise<InFlightState>;
  /** Atomically: no lock on the node, remediation cap (and reboot cap if `reboot`) not reached. */
  acquireLock(request: LockRequest): Promise<LockAcquireResult>;
  /**
   * Before SendCommand: writes `token` on the lock (only if this exact lock is still held) and records
   * the attempt for the lock's causes at `at`. False when the lock is gone (nothing may be sent).
   */
  prepareSend(lock: CommandLock, token: string, at: Date, windowHours: number): Promise<boolean>;
  attachCommand(lock: CommandLock, commandId: string): Promise<void>;
  /** SSM provably did not create the command: takes back the attempt `prepareSend` recorded at `at`. */
  forgetAttempts(instanceId: string, causes: readonly CauseCode[], at: string): Promise<void>;
  /** Removes this exact lock; `commandEnded` also starts the cooldown. False when it was not held. */
  releaseLock(lock: CommandLock, outcome: { commandEnded: boolean; at: Date }): Promise<boolean>;
  /** Follow-up: releases the node's lock if it is for this command. Returns the released lock. */
  releaseByCommand(instanceId: string, commandId: string, endedAt: Date): Promise<CommandLock | null>;
  recordAttempts(instanceId: string, causes: readonly CauseCode[], at: Date, windowHours: number): Promise<void>;
  /** True when this caller may send the alert (first with this fingerprint, or the last one is older than repeatHours). */
  claimAlert(instanceId: string, key: string, fingerprint: string, now: Date, repeatHours: number): Promise<boolean>;
  /** Gives a claim back when the alert could not be sent, so the retry may send it. */
  forgetAlert(instanceId: string, key: string, fingerprint: string): Promise<void>;
  /** Adds alerted causes to the node's open set. */
  markOpenCauses(instanceId: string, causes: readonly CauseCode[]): Promise<void>;
  /** Node is compliant: atomically empties the open set and returns what it held (only one caller gets them). */
  takeOpenCauses(instanceId: string): Promise<CauseCode[]>;
  recordEvaluation(record: EvaluationRecord): Promise<void>;
  /** The node's summary was read and found unchanged: only `lastCheckedAt` moves (the last decision still holds). */
  recordCheck(instanceId: string, at: Date): Promise<void>;
}

/** Account-wide notices (not about a node), e.g. the paused reminder: at most one per `repeatHours`. */
export interface NoticeLedger {
  /** True when this caller may send the notice now (none sent within `repeatHours`); a conditional write. */
  claimNotice(key: string, now: Date, repeatHours: number): Promise<boolean>;
  /** Gives the claim made at `now` back when the notice could not be sent. */
  forgetNotice(key: string, now: Date): Promise<void>;
}

export interface SendCommandRequest {
  instanceIds: string[];
  action: 'INSTALL_PATCHES' | 'REBOOT_NODE';
  causes: CauseCode[];
  /** The locks' `sendToken`: sent as SnapshotId and at the start of the Comment. */
  token: string;
}

/** Why SSM refused a call with a client error (so nothing was created). */
export type RejectionReason = 'INVALID_INSTANCE' | 'ACCESS_DENIED' | 'THROTTLED' | 'OTHER';

/**
 * What one SendCommand call did. Never retried by the SDK (a retry after a lost reply is a second
 * command: SendCommand has no idempotency token), so the outcome is one of:
 *  - SENT: SSM answered with the command;
 *  - REJECTED: SSM answered with a 4xx: no command exists; `instanceIds` are the nodes the error names;
 *  - AMBIGUOUS: no answer, or a 5xx: SSM may or may not have created the command.
 */
export type SendCommandResult =
  | { outcome: 'SENT'; commandId: string }
  | { outcome: 'REJECTED'; reason: RejectionReason; error: string; instanceIds: string[] }
  | { outcome: 'AMBIGUOUS'; error: string };

export type AssociationRerunResult =
  | { outcome: 'STARTED' }
  | { outcome: 'REJECTED'; reason: RejectionReason; error: string }
  | { outcome: 'AMBIGUOUS'; error: string };

/** Who an association runs on (DescribeAssociation Targets), as far as SSM says. */
export interface AssociationTargets {
  associationId: string;
  /** Targets of the association: `InstanceIds` values, or `tag:<key>` / other keys with their values. */
  targets: Array<{ key: string; values: string[] }>;
}

export interface Remediator {
  /** One RunPatchBaseline Install for up to 50 nodes sharing the same decision. */
  sendPatchCommand(request: SendCommandRequest): Promise<SendCommandResult>;
  /** StartAssociationsOnce, at most 10 IDs (API limit). */
  rerunAssociations(associationIds: readonly string[]): Promise<AssociationRerunResult>;
  /** DescribeAssociation for each ID: the targets decide whether a re-run may touch nodes outside scope `auto`. */
  associationTargets(associationIds: readonly string[]): Promise<AssociationTargets[]>;
}

/** One node's invocation of a command, as ListCommandInvocations lists it. */
export interface CommandInvocationFound {
  commandId: string;
  instanceId: string;
  /** Pending | InProgress | Delayed | Success | Cancelled | TimedOut | Failed | Cancelling. */
  status: string;
  comment: string;
  /** ISO. */
  requestedAt?: string;
}

/** A command of ours that ended (from its status event, or from the sweep's look at SSM). */
export interface CommandEnd {
  instanceId: string;
  commandId: string;
  status: 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';
  endedAt: Date;
  /** ISO. */
  requestedDateTime?: string;
}

/** Ends a command of ours (the follow-up use case): alert on failure, release the lock, lifecycle event. */
export interface CommandSettler {
  settle(end: CommandEnd): Promise<unknown>;
}

/** Finds the pipeline's own commands again in SSM (reconciling an ambiguous send or a late ledger). */
export interface CommandFinder {
  /** The node's RunPatchBaseline invocation whose Comment starts with `token`, requested at or after `after`; null when SSM lists none. */
  findByToken(instanceId: string, token: string, after: Date): Promise<CommandInvocationFound | null>;
  /** One invocation by command and node; null when SSM does not know it. */
  invocation(commandId: string, instanceId: string): Promise<CommandInvocationFound | null>;
}

export type CalendarState = 'OPEN' | 'CLOSED';

export interface CalendarReader {
  /** Combined state of the calendars (CLOSED when any is CLOSED); OPEN when none are configured. */
  state(calendarNames: readonly string[], at: Date): Promise<{ state: CalendarState; closedBy?: string[] }>;
}

// ---------------------------------------------------------------------------------------------
// Sweep (implemented by adapters/dynamo-sweep-scanner.ts over the ledger table; the triage use
// case is the NodeEvaluator)
// ---------------------------------------------------------------------------------------------

/** The part of a node's ledger record the sweep looks at. */
export type SweepNodeState = Pick<NodeLedgerRecord, 'instanceId' | 'deferral' | 'lastCommandEndedAt' | 'lastEvaluatedAt' | 'lastCheckedAt' | 'openCauses'>;

/**
 * Pages through the nodes of the ledger that may need another look (a deferral, or a command that
 * ended). A scan: the table has pk/sk only, and a sweep every 15 min over one small item per node
 * costs little; each page reads at most `pageSize` items, and the cursor is kept between runs so a
 * large fleet is covered over several runs instead of starving the nodes at the end of the table.
 */
export interface SweepScanner {
  /** Nodes with a deferral, an ended command, or not read since `checkedBefore` (ISO). */
  scanPage(options: { cursor?: string; pageSize: number; checkedBefore: string }): Promise<{ nodes: SweepNodeState[]; cursor?: string }>;
  loadCursor(): Promise<string | undefined>;
  saveCursor(cursor: string | undefined): Promise<void>;
}

/** The triage use case, seen from the sweep. */
export interface NodeEvaluator {
  evaluateNodes(instanceIds: string[], context: { source: 'sweep' | 'reverify' }): Promise<unknown>;
}

// ---------------------------------------------------------------------------------------------
// Security Hub findings (implemented by adapters/securityhub-publisher.ts and
// adapters/dynamo-finding-store.ts; used by usecases/findings.ts)
// ---------------------------------------------------------------------------------------------

import type { AsffFinding } from './domain/findings/asff';
import type { FindingRecord } from './domain/findings/plan';

export interface FindingImportFailure {
  id: string;
  errorCode: string;
  errorMessage: string;
}

export interface FindingImportResult {
  /** Ids Security Hub accepted. */
  imported: string[];
  /** Findings rejected (FailedFindings, or a call that failed) after the adapter's own retries. */
  failed: FindingImportFailure[];
  /**
   * Set when Security Hub cannot take findings in this account and region (not enabled, not
   * subscribed, access denied): nothing more was sent in this call.
   */
  unavailable?: { errorCode: string; message: string };
}

/** BatchImportFindings. Never throws: failures come back (and are logged and counted by the adapter). */
export interface FindingPublisher {
  importFindings(findings: readonly AsffFinding[]): Promise<FindingImportResult>;
}

/** What was imported per node and cause (CreatedAt, fingerprint, last UpdatedAt, archived), in the ledger table. */
export interface FindingStore {
  read(instanceIds: readonly string[]): Promise<Map<string, Map<CauseCode, FindingRecord>>>;
  /** Keeps `record` unless a later UpdatedAt is stored for the same node and cause; false then. */
  save(instanceId: string, record: FindingRecord): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Reports (implemented by adapters/ssm/managed-nodes.ts, adapters/s3-report-store.ts and
// adapters/sns-report-notifier.ts)
// ---------------------------------------------------------------------------------------------

import type { ReportNotice } from './domain/report/notice';
import type { FleetSummary, TrackingState } from './domain/report/summary';

/** Every managed node of the account and region (DescribeInstanceInformation, every page). */
export interface ManagedNodeLister {
  listManagedNodeIds(): Promise<string[]>;
}

export interface ReportObject {
  key: string;
  body: string;
  /** e.g. `text/csv; charset=utf-8`. */
  contentType: string;
}

/** Where report files and their history live (an S3 bucket in the stack, a folder for the CLI). */
export interface ReportStore {
  put(object: ReportObject): Promise<void>;
  /** The tracking state the previous run saved, or null (first run). */
  loadTracking(key: string): Promise<TrackingState | null>;
  /** The daily summaries found under these keys (missing days are left out). */
  loadSummaries(keys: readonly string[]): Promise<FleetSummary[]>;
}

export interface ReportNotifier {
  notifyReport(notice: ReportNotice): Promise<AlertReceipt>;
}
