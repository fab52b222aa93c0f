/** Associations: DescribeInstanceAssociationsStatus (one node). */
import { DescribeInstanceAssociationsStatusCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { InstanceAssociationStatus } from '../../domain/types';
import { MAX_DETAIL_PAGES, toJsonShape } from './sdk-shapes';

export async function describeAssociationStatuses(client: SSMClient, instanceId: string): Promise<InstanceAssociationStatus[]> {
  const statuses: InstanceAssociationStatus[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(
      new DescribeInstanceAssociationsStatusCommand({ InstanceId: instanceId, MaxResults: 50, NextToken: nextToken }),
    );
    for (const entry of page.InstanceAssociationStatusInfos ?? []) {
      statuses.push(toJsonShape(entry) as InstanceAssociationStatus);
    }
    nextToken = page.NextToken;
    pages += 1;
  } while (nextToken && pages < MAX_DETAIL_PAGES);
  return statuses;
}
