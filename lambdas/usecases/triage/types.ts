/** The triage's shared shapes: its dependencies, the outcome of each node, the state one batch carries. */
import type { AlertEnvironment } from '../../domain/alerts/types';
import type { LifecycleEvent } from '../../domain/lifecycle';
import type { AutopilotSettings } from '../../domain/settings';
import type { Decision, Diagnosis, NodeSnapshot } from '../../domain/types';
import type { CalendarReader, CommandFinder, Remediator } from '../../ports/acting';
import type { AlertNotifier, LifecyclePublisher } from '../../ports/alerts';
import type { CommandLock, FailureNotesRecord, NodeDeferral, RemediationLedger } from '../../ports/ledger';
import type { NodeStateReader } from '../../ports/reading';
import type { Clock, OperationalSink, RuntimeModeSource } from '../../ports/runtime';
import type { FindingsStep } from '../findings';

export interface TriageDependencies {
  reader: NodeStateReader;
  ledger: RemediationLedger;
  remediator: Remediator;
  /**
   * Finds our commands again by their send token, right after an ambiguous SendCommand. Without it
   * the sweep reconciles the kept lock (lock-reconciliation.ts); the wiring always provides it.
   */
  finder?: CommandFinder;
  calendar: CalendarReader;
  notifier: AlertNotifier;
  lifecycle: LifecyclePublisher;
  clock: Clock;
  sink: OperationalSink;
  settings: AutopilotSettings;
  ownRoleNames: readonly string[];
  environment?: AlertEnvironment;
  /** The live mode (mode parameter); it replaces `settings.mode` for each call. Absent: `settings.mode`. */
  liveMode?: RuntimeModeSource;
  /** Security Hub findings (option `securityHubFindings`): one call per evaluated batch. */
  findings?: FindingsStep;
  /**
   * Since when the follow-up notes failed patch command ends: lets a node's OperationEndTime rule a
   * failure out (domain/detail-plan.ts). Absent or unreadable: histories are read as before.
   */
  failureNotes?: FailureNotesRecord;
}

export interface EvaluationContext {
  /**
   * `event` and `reverify` (the sweep's periodic re-read): skip detail reads for unchanged, recently
   * evaluated nodes. `sweep` (deferred nodes, stale locks, commands that ended): read everything.
   */
  source: 'event' | 'sweep' | 'reverify';
}

export type NodeOutcomeKind =
  | 'COMPLIANT'
  | 'OPTED_OUT'
  | 'UNCHANGED'
  | 'NOTIFIED'
  | 'DRY_RUN'
  | 'COMMAND_SENT'
  | 'ASSOCIATIONS_STARTED'
  | 'SKIPPED'
  | 'DEFERRED'
  | 'EXHAUSTED'
  | 'UNKNOWN'
  | 'PAUSED'
  | 'DENIED'
  | 'SEND_UNCERTAIN'
  | 'READ_FAILED'
  | 'RETRY';

export interface NodeOutcome {
  instanceId: string;
  kind: NodeOutcomeKind;
  detail?: string;
  commandId?: string;
}

export interface EvaluationResult {
  outcomes: NodeOutcome[];
  /** Nodes to try again later (batch item failures). */
  retry: string[];
}

/** What is recorded for a node once its side effects succeeded. */
export interface NodeEvaluation {
  instanceId: string;
  at: Date;
  summaryFingerprint?: string;
}

export interface PendingCommand {
  snapshot: NodeSnapshot;
  /** The deferral the ledger held before this evaluation (a new or changed one is announced once). */
  previousDeferral?: NodeDeferral;
  /** Recorded once the command is out (a failed send leaves the node to be fully re-read on retry). */
  evaluation: NodeEvaluation;
  diagnosis: Diagnosis;
  decision: Decision & { action: 'INSTALL_PATCHES' | 'REBOOT_NODE' };
}

/** A pending command whose node lock is held. */
export interface LockedCommand {
  item: PendingCommand;
  lock: CommandLock;
}

/** What one batch knows about the account: read at most once, updated as locks are taken. */
export interface BatchState {
  inFlight?: { remediations: number; reboots: number };
  calendar?: { state: 'OPEN' | 'CLOSED'; closedBy?: string[] };
  lifecycle: LifecycleEvent[];
  /** Diagnosis and decision of every node diagnosed in this batch (the findings step reads them). */
  evaluated?: Map<string, { diagnosis: Diagnosis; decision: Decision }>;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
