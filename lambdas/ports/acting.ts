/**
 * Acting ports: what changes nodes or looks at those changes: the remediator (SendCommand,
 * association re-runs), finding and settling our own commands again, and the change calendar.
 * Implemented by `adapters/ssm-remediator.ts`, `adapters/ssm-command-finder.ts` and
 * `adapters/ssm-calendar.ts`; the follow-up use case is the `CommandSettler`. No SDK import here.
 */
import type { CauseCode } from '../domain/types';

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
