/** Instance information and tags: DescribeInstanceInformation (batched) and ListTagsForResource (hybrid nodes). */
import { DescribeInstanceInformationCommand, ListTagsForResourceCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { InstanceInformation } from '../../domain/types';
import { toJsonShape } from './sdk-shapes';

/** DescribeInstanceInformation, Filters InstanceIds (up to 50 per call). */
export async function describeInstanceInformation(client: SSMClient, ids: string[]): Promise<InstanceInformation[]> {
  const entries: InstanceInformation[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new DescribeInstanceInformationCommand({
        Filters: [{ Key: 'InstanceIds', Values: ids }],
        MaxResults: 50,
        NextToken: nextToken,
      }),
    );
    for (const entry of page.InstanceInformationList ?? []) {
      if (entry.InstanceId) entries.push(toJsonShape(entry) as InstanceInformation);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return entries;
}

/** IDs of the nodes carrying `tag:<key>=<value>` (DescribeInstanceInformation tag filter, every page). */
export async function listNodesWithTag(client: SSMClient, key: string, value: string): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new DescribeInstanceInformationCommand({
        Filters: [{ Key: `tag:${key}`, Values: [value] }],
        MaxResults: 50,
        NextToken: nextToken,
      }),
    );
    for (const entry of page.InstanceInformationList ?? []) {
      if (entry.InstanceId) ids.push(entry.InstanceId);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return ids;
}

/** All tags of a hybrid (`mi-`) node: SSM's ListTagsForResource only knows ResourceType ManagedInstance. */
export async function listHybridTags(client: SSMClient, instanceId: string): Promise<Record<string, string>> {
  const page = await client.send(new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: instanceId }));
  return Object.fromEntries((page.TagList ?? []).flatMap((tag) => (tag.Key ? [[tag.Key, tag.Value ?? '']] : [])));
}
