/**
 * The report's node list: every managed node SSM knows in the account and region, from
 * DescribeInstanceInformation without filters, 50 per page (the API's MaxResults maximum), every page.
 */
import { DescribeInstanceInformationCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { ManagedNodeLister } from '../../ports/reading';

export class SsmManagedNodeLister implements ManagedNodeLister {
  constructor(private readonly client: Pick<SSMClient, 'send'>) {}

  async listManagedNodeIds(): Promise<string[]> {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new DescribeInstanceInformationCommand({ MaxResults: 50, NextToken: nextToken }));
      for (const entry of page.InstanceInformationList ?? []) if (entry.InstanceId) ids.push(entry.InstanceId);
      nextToken = page.NextToken;
    } while (nextToken);
    return [...new Set(ids)];
  }
}
