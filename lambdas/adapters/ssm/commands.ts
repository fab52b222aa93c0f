/** Commands: ListCommandInvocations of AWS-RunPatchBaseline on one node. */
import { ListCommandInvocationsCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { CommandInvocation } from '../../domain/types';
import { toJsonShape } from './sdk-shapes';

/** Only runs after the last reported patch operation matter (patch-operation-failed.ts): one small page. */
export async function listPatchCommands(client: SSMClient, instanceId: string, since: Date): Promise<CommandInvocation[]> {
  const page = await client.send(
    new ListCommandInvocationsCommand({
      InstanceId: instanceId,
      Filters: [
        { key: 'DocumentName', value: 'AWS-RunPatchBaseline' },
        { key: 'InvokedAfter', value: since.toISOString().replace(/\.\d{3}Z$/, 'Z') },
      ],
      MaxResults: 10,
    }),
  );
  return (page.CommandInvocations ?? []).map((invocation) => toJsonShape(invocation) as CommandInvocation);
}
