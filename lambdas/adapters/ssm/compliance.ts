/** Compliance: ListResourceComplianceSummaries (batched) and ListComplianceItems (one node). */
import { ListComplianceItemsCommand, ListResourceComplianceSummariesCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { ComplianceItem, ResourceComplianceSummary } from '../../domain/types';
import { chunks, MAX_DETAIL_PAGES, toJsonShape } from './sdk-shapes';

/** ComplianceStringFilter Values: at most 20 per filter (service model ComplianceFilterValueList). */
export const COMPLIANCE_FILTER_VALUES = 20;

/** NON_COMPLIANT compliance summaries of the given nodes, InstanceId filter with up to 20 values. */
export async function listNonCompliantSummaries(client: SSMClient, ids: string[]): Promise<ResourceComplianceSummary[]> {
  const entries: ResourceComplianceSummary[] = [];
  for (const group of chunks(ids, COMPLIANCE_FILTER_VALUES)) {
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new ListResourceComplianceSummariesCommand({
          // Key InstanceId: SSM user guide, "View compliance results" CLI examples.
          Filters: [
            { Key: 'InstanceId', Values: group, Type: 'EQUAL' },
            { Key: 'Status', Values: ['NON_COMPLIANT'], Type: 'EQUAL' },
          ],
          MaxResults: 50,
          NextToken: nextToken,
        }),
      );
      for (const entry of page.ResourceComplianceSummaryItems ?? []) {
        entries.push(toJsonShape(entry) as ResourceComplianceSummary);
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return entries;
}

/** NON_COMPLIANT items of one node other than Patch (patch items duplicate DescribeInstancePatches). */
export async function listNonCompliantItems(client: SSMClient, instanceId: string): Promise<ComplianceItem[]> {
  const items: ComplianceItem[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(
      new ListComplianceItemsCommand({
        ResourceIds: [instanceId],
        ResourceTypes: ['ManagedInstance'],
        // Patch items duplicate DescribeInstancePatches, one per patch: leave them out.
        Filters: [
          { Key: 'Status', Values: ['NON_COMPLIANT'], Type: 'EQUAL' },
          { Key: 'ComplianceType', Values: ['Patch'], Type: 'NOT_EQUAL' },
        ],
        MaxResults: 50,
        NextToken: nextToken,
      }),
    );
    for (const item of page.ComplianceItems ?? []) items.push(toJsonShape(item) as ComplianceItem);
    nextToken = page.NextToken;
    pages += 1;
  } while (nextToken && pages < MAX_DETAIL_PAGES);
  return items;
}
