/**
 * Ledger ports: the pipeline's memory of each node (command locks, attempts, deferrals, alert marks,
 * open causes) and of account-wide notices. Implemented by `adapters/dynamo-ledger.ts` and
 * `adapters/dynamo-notices.ts`. No SDK import here.
 */
import type { CauseCode, RemediationAction } from '../domain/types';
import type { DeferralGuard } from '../domain/alerts/types';

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
  /**
   * ISO, the last evaluation whose patch command history (ListCommandInvocations) showed no failed
   * patch command; removed when one did. With `patchCommandFailedSeenAt` it lets a read skip the
   * history (domain/detail-plan.ts).
   */
  commandHistoryClearAt?: string;
  /**
   * ISO, when the follow-up last saw anyone's AWS-RunPatchBaseline invocation on the node end other
   * than Success, or an evaluation read a failed one in the history.
   */
  patchCommandFailedSeenAt?: string;
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
  /**
   * The evaluation read the patch command history: true when it showed no failed patch command
   * (`commandHistoryClearAt` moves to `at`), false when it did (removed). Undefined: not read.
   */
  commandHistoryClear?: boolean;
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
  /**
   * Follow-up: someone's AWS-RunPatchBaseline invocation on the node ended other than Success
   * (`patchCommandFailedSeenAt` moves forward to `at`), so the next evaluation reads the command
   * history. Any node, evaluated or not (domain/detail-plan.ts says why).
   */
  notePatchCommandFailed(instanceId: string, at: Date): Promise<void>;
}

/**
 * The account-wide record of since when the follow-up notes every failed patch command end
 * (domain/detail-plan.ts, "Command history"). Written once, by the sweep's first run after the stack
 * (and its follow-up rule) exists; read by the triage, which may then rule a failure out from a node's
 * OperationEndTime instead of reading its command history.
 */
export interface FailureNotesRecord {
  /** ISO, or undefined while no sweep has run yet. */
  since(): Promise<string | undefined>;
  /** Records `at` unless a time is already recorded (the earliest stays). */
  start(at: Date): Promise<void>;
}

/** Account-wide notices (not about a node), e.g. the paused reminder: at most one per `repeatHours`. */
export interface NoticeLedger {
  /** True when this caller may send the notice now (none sent within `repeatHours`); a conditional write. */
  claimNotice(key: string, now: Date, repeatHours: number): Promise<boolean>;
  /** Gives the claim made at `now` back when the notice could not be sent. */
  forgetNotice(key: string, now: Date): Promise<void>;
}
