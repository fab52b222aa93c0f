/**
 * Remediator over SSM: AWS-RunPatchBaseline Install through SendCommand, and StartAssociationsOnce.
 * Parameters per AWS-FACTS "Acting": Install with RebootIfNeeded clears InstalledPendingReboot;
 * our own SnapshotId outside maintenance windows; Comment <= 100 characters; <= 50 InstanceIds.
 *
 * The client handed in must not retry (`createSsmActingClient`): SendCommand and StartAssociationsOnce
 * have no idempotency token, so an SDK retry after a lost reply would be a second command. Each call's
 * outcome is classified instead (ports/acting.ts `SendCommandResult`): a 4xx reply means SSM created nothing;
 * no reply or a 5xx is AMBIGUOUS and the caller reconciles through `CommandFinder`.
 */
import { DescribeAssociationCommand, SendCommandCommand, StartAssociationsOnceCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { AutopilotSettings } from '../domain/settings';
import { SEND_COMMAND_MAX_INSTANCES, START_ASSOCIATIONS_MAX_IDS } from '../domain/types';
import type { AssociationRerunResult, AssociationTargets, RejectionReason, Remediator, SendCommandRequest, SendCommandResult } from '../ports/acting';
import type { OperationalSink } from '../ports/runtime';

export { SEND_COMMAND_MAX_INSTANCES, START_ASSOCIATIONS_MAX_IDS };

export const PATCH_DOCUMENT = 'AWS-RunPatchBaseline';

/** SendCommand Comment: at most 100 characters (SSM API reference). */
export const COMMENT_MAX_CHARS = 100;
/** The stack's command output log group: named after the stack, so two stacks in one account never share it. */
export function commandLogGroupFor(stackName: string): string {
  return `/ssm-compliance-autopilot/${stackName}/commands`;
}

export interface SsmRemediatorOptions {
  /** A client that never retries (createSsmActingClient). */
  client: SSMClient;
  /** A retrying client for DescribeAssociation (a read). Defaults to `client`. */
  readClient?: SSMClient;
  settings: Pick<AutopilotSettings, 'installRebootOption' | 'commandDeliveryTimeoutSeconds'>;
  sink: OperationalSink;
  /** CloudWatch Logs group for command output (`commandLogGroupFor(stack)`, env COMMAND_LOG_GROUP). */
  logGroupName: string;
}

export class SsmRemediator implements Remediator {
  constructor(private readonly options: SsmRemediatorOptions) {}

  async sendPatchCommand(request: SendCommandRequest): Promise<SendCommandResult> {
    if (request.instanceIds.length === 0 || request.instanceIds.length > SEND_COMMAND_MAX_INSTANCES) {
      throw new Error(`sendPatchCommand takes 1..${SEND_COMMAND_MAX_INSTANCES} instance IDs, got ${request.instanceIds.length}`);
    }
    const rebootOption = request.action === 'REBOOT_NODE' ? 'RebootIfNeeded' : this.options.settings.installRebootOption;
    let commandId: string | undefined;
    try {
      const response = await this.options.client.send(
        new SendCommandCommand({
          DocumentName: PATCH_DOCUMENT,
          InstanceIds: request.instanceIds,
          Parameters: {
            Operation: ['Install'],
            RebootOption: [rebootOption],
            // Our own GUID (AWS-RunPatchBaseline docs: give one outside maintenance windows); the lock's
            // send token, so the command can be found again (AWS-FACTS "Acting").
            SnapshotId: [request.token],
          },
          Comment: commandComment(request.action, request.causes, request.token),
          TimeoutSeconds: this.options.settings.commandDeliveryTimeoutSeconds,
          // Each node patches on its own: one node's failure must not stop the others.
          MaxConcurrency: String(Math.min(request.instanceIds.length, SEND_COMMAND_MAX_INSTANCES)),
          MaxErrors: String(request.instanceIds.length),
          CloudWatchOutputConfig: {
            CloudWatchOutputEnabled: true,
            CloudWatchLogGroupName: this.options.logGroupName,
          },
        }),
      );
      commandId = response.Command?.CommandId;
    } catch (error) {
      const rejection = rejectionOf(error);
      if (!rejection) {
        this.options.sink.count('CommandSendOutcomeUnknown', request.instanceIds.length);
        this.options.sink.warn('SendCommand outcome unknown (no reply or 5xx): not retried, reconciled by its token', { token: request.token, instanceIds: request.instanceIds, error: describe(error) });
        return { outcome: 'AMBIGUOUS', error: describe(error) };
      }
      const named = namedNodes(error, request.instanceIds);
      this.options.sink.count(`CommandRejected_${rejection}`, request.instanceIds.length);
      this.options.sink.warn('SendCommand rejected', { reason: rejection, instanceIds: request.instanceIds, named, error: describe(error) });
      return { outcome: 'REJECTED', reason: rejection, error: describe(error), instanceIds: named };
    }
    // A 200 without a command ID is not a documented reply: treat it as unknown and reconcile.
    if (!commandId) return { outcome: 'AMBIGUOUS', error: 'SendCommand returned no CommandId' };
    this.options.sink.count(`CommandsSent_${request.action}`, request.instanceIds.length);
    this.options.sink.count('CommandsSent', request.instanceIds.length);
    this.options.sink.info('remediation command sent', { commandId, action: request.action, causes: request.causes, instanceIds: request.instanceIds, rebootOption, token: request.token });
    return { outcome: 'SENT', commandId };
  }

  async rerunAssociations(associationIds: readonly string[]): Promise<AssociationRerunResult> {
    if (associationIds.length === 0) return { outcome: 'STARTED' };
    if (associationIds.length > START_ASSOCIATIONS_MAX_IDS) throw new Error(`rerunAssociations takes at most ${START_ASSOCIATIONS_MAX_IDS} IDs, got ${associationIds.length}`);
    try {
      await this.options.client.send(new StartAssociationsOnceCommand({ AssociationIds: [...associationIds] }));
    } catch (error) {
      const rejection = rejectionOf(error);
      if (!rejection) return { outcome: 'AMBIGUOUS', error: describe(error) };
      this.options.sink.count(`AssociationRerunRejected_${rejection}`, associationIds.length);
      return { outcome: 'REJECTED', reason: rejection, error: describe(error) };
    }
    this.options.sink.count('AssociationsStarted', associationIds.length);
    this.options.sink.info('associations started once', { associationIds });
    return { outcome: 'STARTED' };
  }

  async associationTargets(associationIds: readonly string[]): Promise<AssociationTargets[]> {
    const client = this.options.readClient ?? this.options.client;
    const out: AssociationTargets[] = [];
    for (const associationId of associationIds) {
      const response = await client.send(new DescribeAssociationCommand({ AssociationId: associationId }));
      const description = response.AssociationDescription;
      const targets = (description?.Targets ?? []).map((target) => ({ key: target.Key ?? '', values: target.Values ?? [] }));
      // Older associations name their node in InstanceId instead of Targets (DescribeAssociation model).
      if (targets.length === 0 && description?.InstanceId) targets.push({ key: 'InstanceIds', values: [description.InstanceId] });
      out.push({ associationId, targets });
    }
    return out;
  }
}

/**
 * "<token> ssm-compliance-autopilot: REBOOT_NODE for PENDING_REBOOT, MISSING_PATCHES", cut on a word
 * boundary if needed. The token comes first so a cut never loses it (ListCommandInvocations returns the Comment).
 */
export function commandComment(action: string, causes: readonly string[], token?: string): string {
  const full = `${token ? `${token} ` : ''}ssm-compliance-autopilot: ${action} for ${causes.join(', ')}`;
  if (full.length <= COMMENT_MAX_CHARS) return full;
  const cut = full.slice(0, COMMENT_MAX_CHARS - 3);
  const boundary = cut.lastIndexOf(',');
  return `${boundary > 40 + (token ? token.length + 1 : 0) ? cut.slice(0, boundary) : cut}...`;
}

/**
 * A 4xx reply: SSM evaluated the call and created nothing (client error). Anything else (no reply,
 * a reset connection, a timeout, a 5xx) may have created the command: null.
 */
export function rejectionOf(error: unknown): RejectionReason | null {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (status === undefined || status < 400 || status >= 500) return null;
  const name = error instanceof Error ? error.name : '';
  if (name === 'InvalidInstanceId') return 'INVALID_INSTANCE';
  if (name === 'AccessDeniedException' || name === 'AccessDenied') return 'ACCESS_DENIED';
  if (name === 'ThrottlingException' || name === 'TooManyRequestsException') return 'THROTTLED';
  return 'OTHER';
}

/** Nodes of the request that the error message names (IAM denials name the resource ARN; InvalidInstanceId may list IDs). */
function namedNodes(error: unknown, requested: readonly string[]): string[] {
  const message = error instanceof Error ? error.message : String(error);
  const named = new Set(message.match(/\bm?i-[0-9a-f]{8,17}\b/g) ?? []);
  return requested.filter((id) => named.has(id));
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
