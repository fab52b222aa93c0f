/**
 * Remediator over SSM: AWS-RunPatchBaseline Install through SendCommand, and StartAssociationsOnce.
 * Parameters per AWS-FACTS "Acting": Install with RebootIfNeeded clears InstalledPendingReboot;
 * our own SnapshotId outside maintenance windows; Comment <= 100 characters; <= 50 InstanceIds.
 */
import { SendCommandCommand, StartAssociationsOnceCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { randomUUID } from 'node:crypto';
import type { AutopilotSettings } from '../domain/settings';
import { SEND_COMMAND_MAX_INSTANCES } from '../domain/types';
import type { OperationalSink, Remediator, SendCommandRequest, SendCommandResult } from '../ports';

export { SEND_COMMAND_MAX_INSTANCES };

export const PATCH_DOCUMENT = 'AWS-RunPatchBaseline';

/** SendCommand Comment: at most 100 characters (SSM API reference). */
export const COMMENT_MAX_CHARS = 100;
/** The stack's command output log group: named after the stack, so two stacks in one account never share it. */
export function commandLogGroupFor(stackName: string): string {
  return `/ssm-compliance-autopilot/${stackName}/commands`;
}

export interface SsmRemediatorOptions {
  client: SSMClient;
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
    try {
      const response = await this.options.client.send(
        new SendCommandCommand({
          DocumentName: PATCH_DOCUMENT,
          InstanceIds: request.instanceIds,
          Parameters: {
            Operation: ['Install'],
            RebootOption: [rebootOption],
            // A fresh GUID: outside a maintenance window each run needs its own snapshot (AWS-RunPatchBaseline docs).
            SnapshotId: [randomUUID()],
          },
          Comment: commandComment(request.action, request.causes),
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
      const commandId = response.Command?.CommandId;
      if (!commandId) throw new Error('SendCommand returned no CommandId');
      this.options.sink.count(`CommandsSent_${request.action}`, request.instanceIds.length);
      this.options.sink.count('CommandsSent', request.instanceIds.length);
      this.options.sink.info('remediation command sent', { commandId, action: request.action, causes: request.causes, instanceIds: request.instanceIds, rebootOption });
      return { commandId, rejectedInstanceIds: [] };
    } catch (error) {
      // InvalidInstanceId: a node is not registered / not Online (deregistered mid-flight). SSM rejects
      // the whole call, so every node of the call comes back rejected; the caller releases their locks.
      if (errorName(error) === 'InvalidInstanceId') {
        this.options.sink.count('CommandRejectedInvalidInstance', request.instanceIds.length);
        this.options.sink.warn('SendCommand rejected: InvalidInstanceId', { instanceIds: request.instanceIds, error: errorMessage(error) });
        return { rejectedInstanceIds: [...request.instanceIds], error: `InvalidInstanceId: ${errorMessage(error)}` };
      }
      throw error;
    }
  }

  async rerunAssociations(associationIds: readonly string[]): Promise<void> {
    if (associationIds.length === 0) return;
    await this.options.client.send(new StartAssociationsOnceCommand({ AssociationIds: [...associationIds] }));
    this.options.sink.count('AssociationsStarted', associationIds.length);
    this.options.sink.info('associations started once', { associationIds });
  }
}

/** "ssm-compliance-autopilot: REBOOT_NODE for PENDING_REBOOT, MISSING_PATCHES", cut on a word boundary if needed. */
export function commandComment(action: string, causes: readonly string[]): string {
  const full = `ssm-compliance-autopilot: ${action} for ${causes.join(', ')}`;
  if (full.length <= COMMENT_MAX_CHARS) return full;
  const cut = full.slice(0, COMMENT_MAX_CHARS - 3);
  const boundary = cut.lastIndexOf(',');
  return `${boundary > 40 ? cut.slice(0, boundary) : cut}...`;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
