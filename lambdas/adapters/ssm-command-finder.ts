/**
 * CommandFinder over SSM ListCommandInvocations (a read: the retrying client). Finds the pipeline's
 * own RunPatchBaseline invocation on a node by the send token its Comment starts with (AWS-FACTS
 * "Acting": the Comment comes back in ListCommands / ListCommandInvocations). Filter keys per the
 * SSM model (botocore ssm/2014-11-06 CommandFilterKey): InvokedAfter, DocumentName.
 */
import { ListCommandInvocationsCommand, type CommandInvocation, type SSMClient } from '@aws-sdk/client-ssm';
import type { CommandFinder, CommandInvocationFound } from '../ports/acting';
import { PATCH_DOCUMENT } from './ssm-remediator';

/** Pages read per lookup: 50 invocations a page; a node rarely has more RunPatchBaseline runs in minutes. */
const MAX_PAGES = 5;

export class SsmCommandFinder implements CommandFinder {
  constructor(private readonly client: SSMClient) {}

  async findByToken(instanceId: string, token: string, after: Date): Promise<CommandInvocationFound | null> {
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const response = await this.client.send(
        new ListCommandInvocationsCommand({
          InstanceId: instanceId,
          Filters: [
            // ISO-8601 UTC, as the API reference's InvokedAfter examples.
            { key: 'InvokedAfter', value: after.toISOString().replace(/\.\d{3}Z$/, 'Z') },
            { key: 'DocumentName', value: PATCH_DOCUMENT },
          ],
          MaxResults: 50,
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
      );
      const match = (response.CommandInvocations ?? []).find((invocation) => (invocation.Comment ?? '').startsWith(token));
      if (match) return found(match, instanceId);
      nextToken = response.NextToken;
      if (!nextToken) return null;
    }
    throw new Error(`ListCommandInvocations for ${instanceId}: more than ${MAX_PAGES} pages since ${after.toISOString()}; cannot prove absence`);
  }

  async invocation(commandId: string, instanceId: string): Promise<CommandInvocationFound | null> {
    const response = await this.client.send(new ListCommandInvocationsCommand({ CommandId: commandId, InstanceId: instanceId }));
    const match = (response.CommandInvocations ?? [])[0];
    return match ? found(match, instanceId) : null;
  }
}

function found(invocation: CommandInvocation, instanceId: string): CommandInvocationFound {
  return {
    commandId: invocation.CommandId ?? '',
    instanceId: invocation.InstanceId ?? instanceId,
    status: invocation.Status ?? 'Pending',
    comment: invocation.Comment ?? '',
    ...(invocation.RequestedDateTime ? { requestedAt: invocation.RequestedDateTime.toISOString() } : {}),
  };
}
