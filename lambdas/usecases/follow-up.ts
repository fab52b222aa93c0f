/**
 * Follow-up of the pipeline's own remediation commands, from EventBridge "EC2 Command Invocation
 * Status-change Notification" events (AWS-FACTS.md, "Events").
 *
 * Only commands the ledger holds a lock for matter; any other command (a human's, a maintenance
 * window's, an association's) is ignored and counted. Terminal statuses end the command:
 *  - Success: release the lock (the cooldown starts), lifecycle "Remediation Succeeded";
 *  - Failed / TimedOut / Cancelled: read the step's output, alert PATCH_OPERATION_FAILED, release the
 *    lock, lifecycle "Remediation Failed".
 * Non-terminal statuses (Pending, InProgress, Delayed, Cancelling) only get a debug log.
 *
 * Order on failure: alert BEFORE release. EventBridge invokes the Lambda asynchronously and retries
 * on error; a retry after a failed Publish still finds the lock and alerts again, while a retry after
 * a failed release may send the alert twice. Twice beats never.
 */
// Namespace import: `import { z }` keeps zod's whole namespace object (all locales, ~450 KB minified) in the Lambda bundle; this form lets esbuild tree-shake it (~85 KB).
import * as z from 'zod/mini';
import type { CommandFailedAlertInput } from '../domain/alerts/types';
import type { LifecycleEvent } from '../domain/lifecycle';
import { lazySchema } from '../domain/lazy-schema';
import { formatZodIssues } from '../domain/settings';
import { modeMayAlert } from '../domain/policy/runtime-mode';
import type { CommandEnd, CommandFinder } from '../ports/acting';
import type { AlertNotifier, LifecyclePublisher } from '../ports/alerts';
import type { CommandLock, RemediationLedger } from '../ports/ledger';
import type { Clock, OperationalSink, RuntimeModeSource } from '../ports/runtime';

export const PATCH_DOCUMENT_NAME = 'AWS-RunPatchBaseline';

export const TERMINAL_STATUSES = ['Success', 'Failed', 'TimedOut', 'Cancelled'] as const;
export const NON_TERMINAL_STATUSES = ['Pending', 'InProgress', 'Delayed', 'Cancelling'] as const;
type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

// Built on first use, leaves shared (domain/lazy-schema.ts says why).
export const commandStatusEventSchema = lazySchema(() => {
  const optionalString = z.optional(z.string());
  const text = z.string().check(z.minLength(1));
  return z.looseObject({
    id: optionalString,
    'detail-type': z.literal('EC2 Command Invocation Status-change Notification'),
    source: z.literal('aws.ssm'),
    account: optionalString,
    region: optionalString,
    time: optionalString,
    detail: z.looseObject({
      'command-id': text,
      'document-name': text,
      'instance-id': z.string().check(z.regex(/^(i|mi)-[0-9a-f]{8,17}$/, 'expected an EC2 (i-) or hybrid (mi-) node ID')),
      'requested-date-time': optionalString,
      status: text,
    }),
  });
});
export type CommandStatusEvent = z.infer<ReturnType<typeof commandStatusEventSchema>>;

/** GetCommandInvocation output of the step that ran. */
export interface CommandOutput {
  pluginName?: string;
  status?: string;
  statusDetails?: string;
  responseCode?: number;
  standardErrorContent: string;
  standardOutputContent: string;
}

export interface CommandOutputReader {
  readOutput(commandId: string, instanceId: string): Promise<CommandOutput>;
}


export type FollowUpOutcome =
  | { kind: 'MALFORMED'; error: string }
  | { kind: 'NOT_PATCH_DOCUMENT'; documentName: string }
  | { kind: 'NOT_TERMINAL'; status: string }
  | { kind: 'UNKNOWN_STATUS'; status: string }
  | { kind: 'NOT_OURS'; instanceId: string; commandId: string }
  | { kind: 'ALREADY_RELEASED'; instanceId: string; commandId: string }
  | { kind: 'SUCCEEDED'; instanceId: string; commandId: string }
  | { kind: 'FAILED'; instanceId: string; commandId: string; status: TerminalStatus; alerted: boolean };

export interface FollowUpDependencies {
  ledger: Pick<RemediationLedger, 'readNodes' | 'releaseByCommand' | 'attachCommand' | 'notePatchCommandFailed'>;
  /** Tells whether a command is ours when the ledger has not attached it yet (its Comment starts with the lock's send token). */
  finder: Pick<CommandFinder, 'invocation'>;
  outputReader: CommandOutputReader;
  notifier: Pick<AlertNotifier, 'notifyCommandFailed'>;
  lifecycle: LifecyclePublisher;
  clock: Clock;
  sink: OperationalSink;
  environment: { account?: string; region?: string };
  /** The live mode: `paused` sends no alert. Absent: alerts always go out. */
  liveMode?: RuntimeModeSource;
}

export function isTerminal(status: string): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export class CommandFollowUp {
  constructor(private readonly deps: FollowUpDependencies) {}

  async handle(rawEvent: unknown): Promise<FollowUpOutcome> {
    const { sink } = this.deps;
    const parsed = commandStatusEventSchema().safeParse(rawEvent);
    if (!parsed.success) {
      const error = formatZodIssues(parsed.error);
      const eventId = typeof rawEvent === 'object' && rawEvent !== null ? (rawEvent as { id?: unknown }).id : undefined;
      // Not retried: a malformed event stays malformed. One line and a metric (alarmed) instead.
      sink.count('MalformedEvents');
      sink.error('malformed command status event', { eventId, error });
      return { kind: 'MALFORMED', error };
    }
    const event = parsed.data;
    const detail = event.detail;
    const instanceId = detail['instance-id'];
    const commandId = detail['command-id'];
    const status = detail.status;

    if (detail['document-name'] !== PATCH_DOCUMENT_NAME) {
      sink.count('IgnoredCommandEvents');
      sink.debug('status of a command of another document', { documentName: detail['document-name'], commandId });
      return { kind: 'NOT_PATCH_DOCUMENT', documentName: detail['document-name'] };
    }
    if ((NON_TERMINAL_STATUSES as readonly string[]).includes(status)) {
      sink.debug('command not finished yet', { instanceId, commandId, status });
      return { kind: 'NOT_TERMINAL', status };
    }
    if (!isTerminal(status)) {
      sink.count('UnknownCommandStatus');
      sink.warn('unknown command status: ignored', { instanceId, commandId, status, eventId: event.id });
      return { kind: 'UNKNOWN_STATUS', status };
    }

    if (status !== 'Success') await this.noteFailed(instanceId, commandId);
    return this.settleOurs({
      instanceId,
      commandId,
      status,
      endedAt: this.endTime(event.time),
      ...(detail['requested-date-time'] ? { requestedDateTime: detail['requested-date-time'] } : {}),
    });
  }

  /**
   * Anyone's patch command ended on the node other than Success: its next evaluation reads the command
   * history (domain/detail-plan.ts; a success cannot add a failure, so it is not noted). Bookkeeping:
   * a failed write is counted, not retried (the history is re-read within COMMAND_HISTORY_REREAD_HOURS,
   * and before any action, whatever the ledger says).
   */
  private async noteFailed(instanceId: string, commandId: string): Promise<void> {
    try {
      await this.deps.ledger.notePatchCommandFailed(instanceId, this.deps.clock.now());
    } catch (error) {
      this.deps.sink.count('BookkeepingFailures');
      this.deps.sink.warn('could not note the failed patch command on the node record', { instanceId, commandId, error: String(error) });
    }
  }

  /**
   * Ends one of our commands whose status event was lost (the sweep, lock-reconciliation.ts): notes a
   * failed end on the node as `handle` does, then settles it.
   */
  async settle(end: CommandEnd): Promise<FollowUpOutcome> {
    if (end.status !== 'Success') await this.noteFailed(end.instanceId, end.commandId);
    return this.settleOurs(end);
  }

  /** Ends one of our commands: alert on failure, release the lock (the cooldown starts), lifecycle event. */
  private async settleOurs(end: CommandEnd): Promise<FollowUpOutcome> {
    const { sink } = this.deps;
    const { instanceId, commandId, status, endedAt } = end;
    const lock = await this.lockFor(instanceId, commandId);
    if (!lock) {
      sink.count('IgnoredCommandEvents');
      sink.info('command not sent by the autopilot (or already followed up): ignored', { instanceId, commandId, status });
      return { kind: 'NOT_OURS', instanceId, commandId };
    }
    const lifecycleBase = {
      instanceId,
      action: lock.action,
      causes: lock.causes,
      commandId,
      ...(this.deps.environment.account ? { account: this.deps.environment.account } : {}),
      ...(this.deps.environment.region ? { region: this.deps.environment.region } : {}),
    };

    if (status === 'Success') {
      const released = await this.deps.ledger.releaseByCommand(instanceId, commandId, endedAt);
      if (!released) return this.alreadyReleased(instanceId, commandId);
      sink.count('CommandsSucceeded');
      sink.info('remediation command succeeded: lock released, cooldown started', { instanceId, commandId, action: lock.action });
      await this.publish({ detailType: 'Remediation Succeeded', time: endedAt.toISOString(), detail: { ...lifecycleBase, reason: `${PATCH_DOCUMENT_NAME} ended Success` } });
      return { kind: 'SUCCEEDED', instanceId, commandId };
    }

    const alertInput = await this.failureAlertInput(lock, commandId, status, end.requestedDateTime);
    let alerted = false;
    if (this.deps.liveMode && !modeMayAlert(await this.deps.liveMode.current())) {
      // Paused: the lock is still released (bookkeeping, not an action); the node is re-read on resume.
      sink.count('AlertsPaused');
      sink.info('PATCH_OPERATION_FAILED not alerted: the autopilot is paused', { instanceId, commandId, status });
    } else {
      try {
        await this.deps.notifier.notifyCommandFailed(alertInput);
        alerted = true;
      } catch (error) {
        sink.count('AlertFailures');
        sink.error('PATCH_OPERATION_FAILED alert could not be sent; the event will be retried', { instanceId, commandId, error: String(error) });
        throw error;
      }
    }
    const released = await this.deps.ledger.releaseByCommand(instanceId, commandId, endedAt);
    if (!released) sink.warn('lock was released by someone else meanwhile (duplicate event or sweep)', { instanceId, commandId });
    sink.count('CommandsFailed');
    await this.publish({
      detailType: 'Remediation Failed',
      time: endedAt.toISOString(),
      detail: { ...lifecycleBase, reason: `${PATCH_DOCUMENT_NAME} ended ${alertInput.statusDetails && alertInput.statusDetails !== status ? `${status} (${alertInput.statusDetails})` : status}` },
    });
    return { kind: 'FAILED', instanceId, commandId, status, alerted };
  }

  /**
   * The node's lock when it belongs to this command. A lock that carries a send token but no command
   * ID yet (the reply was lost, the sender died, or its attach write is simply slower than a fast
   * failure) is matched by the command's Comment, which starts with the token, and the command is
   * attached to it: our command's status event is never dropped or dead-lettered because the ledger
   * is late. A lock without a send token never had a command sent under it.
   */
  private async lockFor(instanceId: string, commandId: string): Promise<CommandLock | null> {
    const records = await this.deps.ledger.readNodes([instanceId]);
    const lock = records.get(instanceId)?.lock;
    if (!lock) return null;
    if (lock.commandId === commandId) return lock;
    if (lock.commandId !== undefined || !lock.sendToken) return null;
    const invocation = await this.deps.finder.invocation(commandId, instanceId);
    if (!invocation || !invocation.comment.startsWith(lock.sendToken)) return null;
    await this.deps.ledger.attachCommand(lock, commandId);
    this.deps.sink.count('CommandsAdopted');
    this.deps.sink.info('command matched to its lock by its send token (ledger was late)', { instanceId, commandId, token: lock.sendToken });
    return { ...lock, commandId };
  }

  private alreadyReleased(instanceId: string, commandId: string): FollowUpOutcome {
    this.deps.sink.count('DuplicateCommandEvents');
    this.deps.sink.info('lock already released (duplicate event or sweep)', { instanceId, commandId });
    return { kind: 'ALREADY_RELEASED', instanceId, commandId };
  }

  private async failureAlertInput(lock: CommandLock, commandId: string, status: TerminalStatus, requestedDateTime: string | undefined): Promise<CommandFailedAlertInput> {
    const base: CommandFailedAlertInput = {
      instanceId: lock.instanceId,
      commandId,
      documentName: PATCH_DOCUMENT_NAME,
      status,
      action: lock.action,
      causes: lock.causes,
      ...(requestedDateTime ? { requestedDateTime } : {}),
      ...(this.deps.environment.region ? { region: this.deps.environment.region } : {}),
    };
    try {
      const output = await this.deps.outputReader.readOutput(commandId, lock.instanceId);
      return {
        ...base,
        ...(output.statusDetails ? { statusDetails: output.statusDetails } : {}),
        ...(output.responseCode !== undefined ? { responseCode: output.responseCode } : {}),
        standardErrorContent: output.standardErrorContent,
        standardOutputContent: output.standardOutputContent,
        ...(platformOfPlugin(output.pluginName) ? { platform: platformOfPlugin(output.pluginName) } : {}),
      };
    } catch (error) {
      // The alert matters more than the excerpt: send it without output rather than not at all.
      this.deps.sink.count('CommandOutputReadFailures');
      this.deps.sink.warn('command output could not be read', { instanceId: lock.instanceId, commandId, error: String(error) });
      return { ...base, outputUnavailableReason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  }

  private endTime(eventTime: string | undefined): Date {
    const parsed = eventTime ? Date.parse(eventTime) : Number.NaN;
    return Number.isNaN(parsed) ? this.deps.clock.now() : new Date(parsed);
  }

  private async publish(event: LifecycleEvent): Promise<void> {
    await this.deps.lifecycle.publish([event]);
  }
}

/** RunPatchBaseline's steps are named per platform (PatchWindows, PatchLinux, PatchMacOS). */
function platformOfPlugin(pluginName: string | undefined): string | undefined {
  if (pluginName === 'PatchWindows') return 'Windows';
  if (pluginName === 'PatchLinux') return 'Linux';
  if (pluginName === 'PatchMacOS') return 'MacOS';
  return undefined;
}
