/**
 * Compliance: ListResourceComplianceSummaries (batched) and ListComplianceItems (one node).
 *
 * Neither call's first form is verified against real AWS (AWS-FACTS.md): several InstanceId values in
 * one ListResourceComplianceSummaries filter, and the NOT_EQUAL operator on ListComplianceItems. So
 * every answer is filtered again here (a filter SSM ignored cannot leak other nodes or types in), a
 * refused filter degrades to a documented form (fallback-policy.ts), and an answer that contradicts
 * the node's other counts is read again in the documented form (`recheckSummaries`, the item
 * cross-check in `listNonCompliantItems`).
 */
import { ListComplianceItemsCommand, ListResourceComplianceSummariesCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { ComplianceItem, ResourceComplianceSummary } from '../../domain/types';
import { isFilterRejected, refusalEvidence, type ReadFallbacks } from './fallback-policy';
import { chunks, MAX_DETAIL_PAGES, toJsonShape } from './sdk-shapes';

/** ComplianceStringFilter Values: at most 20 per filter (service model ComplianceFilterValueList). */
export const COMPLIANCE_FILTER_VALUES = 20;
/** Unfiltered reads carry what a filter would have dropped: allow more pages before the cap. */
const MAX_UNFILTERED_PAGES = 40;

type Filter = { Key: string; Values: string[]; Type: 'EQUAL' | 'NOT_EQUAL' };
const NON_COMPLIANT: Filter = { Key: 'Status', Values: ['NON_COMPLIANT'], Type: 'EQUAL' };

/** One read of the summaries (a triage batch, a CLI run): the account-wide list is fetched at most once in it. */
export class ComplianceSummaryReads {
  private accountWide: Promise<ResourceComplianceSummary[]> | undefined;

  constructor(
    private readonly client: SSMClient,
    private readonly fallbacks: ReadFallbacks,
  ) {}

  /** NON_COMPLIANT summaries of the given nodes, in the best form this container knows to work. */
  async nonCompliant(ids: string[]): Promise<ResourceComplianceSummary[]> {
    if (this.fallbacks.has('summaries.no-instance-filter')) return this.fromAccountWide(ids);
    if (ids.length > 1 && !this.fallbacks.has('summaries.one-node-per-call')) {
      try {
        const entries: ResourceComplianceSummary[] = [];
        // Key InstanceId: SSM user guide, "View compliance results" CLI examples (one value there).
        for (const group of chunks(ids, COMPLIANCE_FILTER_VALUES)) entries.push(...(await this.page([{ Key: 'InstanceId', Values: group, Type: 'EQUAL' }, NON_COMPLIANT])));
        this.noticeIgnoredFilter(entries, ids);
        return this.keep(entries, ids);
      } catch (error) {
        if (!isFilterRejected(error)) throw error;
        this.fallbacks.degrade('summaries.one-node-per-call', refusalEvidence('InstanceId filter with several values', error));
      }
    }
    return this.onePerCall(ids);
  }

  /**
   * Cross-check of the first read against the node's other counts. `expected(id)`: the compliance
   * types the node's patch state / association roll-up say must be NON_COMPLIANT; `mustHaveAny(id)`:
   * the node must have at least one summary of any status (the CLI asks this of every node with a
   * patch state, since a Patch summary comes with it). A node whose first answer falls short is read
   * again with one InstanceId value and no Status filter (filtered here); if SSM still lists nothing
   * for it, from the account-wide NON_COMPLIANT list. A form is remembered as needed only when it
   * found what the previous one missed.
   */
  async recheck(
    ids: string[],
    firstRead: ResourceComplianceSummary[],
    expected: (id: string) => string[],
    mustHaveAny: (id: string) => boolean,
  ): Promise<ResourceComplianceSummary[]> {
    const of = (entries: ResourceComplianceSummary[], id: string) => entries.filter((entry) => entry.ResourceId === id);
    const satisfied = (entries: ResourceComplianceSummary[], id: string) =>
      expected(id).every((type) => entries.some((entry) => entry.ComplianceType === type && entry.Status === 'NON_COMPLIANT'));
    const suspicious = ids.filter((id) => mustHaveAny(id) || !satisfied(of(firstRead, id), id));
    if (suspicious.length === 0) return firstRead;
    const result = firstRead.filter((entry) => !suspicious.includes(entry.ResourceId ?? ''));
    const unresolved: string[] = [];
    for (const id of suspicious) {
      const first = of(firstRead, id);
      if (this.fallbacks.has('summaries.no-instance-filter')) {
        unresolved.push(id);
        continue;
      }
      const all = of(await this.page([{ Key: 'InstanceId', Values: [id], Type: 'EQUAL' }]), id);
      const nonCompliant = all.filter((entry) => entry.Status === 'NON_COMPLIANT');
      if (all.length === 0 && (mustHaveAny(id) || expected(id).length > 0)) {
        unresolved.push(id);
        continue;
      }
      if (nonCompliant.length > first.length && ids.length > 1) {
        this.fallbacks.degrade('summaries.one-node-per-call', `several InstanceId values missed summaries of ${id} that one value returns`);
      }
      result.push(...(nonCompliant.length >= first.length ? nonCompliant : first));
    }
    if (unresolved.length === 0) return result;
    const fromAccount = await this.fromAccountWide(unresolved);
    for (const id of unresolved) {
      const listed = of(fromAccount, id);
      const first = of(firstRead, id);
      if (listed.length > first.length) {
        this.fallbacks.degrade('summaries.no-instance-filter', `the InstanceId filter returned nothing for ${id}; the unfiltered NON_COMPLIANT list holds ${listed.length} summaries of it`);
      }
      result.push(...(listed.length >= first.length ? listed : first));
    }
    return result;
  }

  private async onePerCall(ids: string[]): Promise<ResourceComplianceSummary[]> {
    const entries: ResourceComplianceSummary[] = [];
    try {
      for (const id of ids) entries.push(...(await this.page([{ Key: 'InstanceId', Values: [id], Type: 'EQUAL' }, NON_COMPLIANT])));
      this.noticeIgnoredFilter(entries, ids);
      return this.keep(entries, ids);
    } catch (error) {
      if (!isFilterRejected(error)) throw error;
      this.fallbacks.degrade('summaries.no-instance-filter', refusalEvidence('InstanceId filter with one value', error));
      return this.fromAccountWide(ids);
    }
  }


  /** The account's NON_COMPLIANT summaries (Status filter; if refused, none), fetched once per read. */
  private async fromAccountWide(ids: string[]): Promise<ResourceComplianceSummary[]> {
    this.accountWide ??= this.page([NON_COMPLIANT]).catch((error: unknown) => {
      if (!isFilterRejected(error)) throw error;
      return this.page(undefined);
    });
    const entries = await this.accountWide;
    return this.keep(entries, ids);
  }

  /** Entries of other nodes: SSM ignored the InstanceId filter, so the account-wide list (once per read) costs less. */
  private noticeIgnoredFilter(entries: ResourceComplianceSummary[], ids: string[]): void {
    const wanted = new Set(ids);
    const other = entries.find((entry) => !wanted.has(entry.ResourceId ?? ''));
    if (other) this.fallbacks.degrade('summaries.no-instance-filter', `the InstanceId filter returned ${other.ResourceId ?? 'an entry without ResourceId'}, not asked for`);
  }

  /** Only the requested nodes' NON_COMPLIANT entries, whatever the filter did. */
  private keep(entries: ResourceComplianceSummary[], ids: string[]): ResourceComplianceSummary[] {
    const wanted = new Set(ids);
    return entries.filter((entry) => wanted.has(entry.ResourceId ?? '') && entry.Status === 'NON_COMPLIANT');
  }

  private async page(filters: Filter[] | undefined): Promise<ResourceComplianceSummary[]> {
    const entries: ResourceComplianceSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListResourceComplianceSummariesCommand({ ...(filters ? { Filters: filters } : {}), MaxResults: 50, NextToken: nextToken }),
      );
      for (const entry of page.ResourceComplianceSummaryItems ?? []) entries.push(toJsonShape(entry) as ResourceComplianceSummary);
      nextToken = page.NextToken;
    } while (nextToken);
    return entries;
  }
}

/**
 * NON_COMPLIANT items of one node other than Patch (patch items duplicate DescribeInstancePatches).
 * `expectedTypes`: the non-Patch types its summaries call NON_COMPLIANT; a type with no item read
 * means the filter matched nothing it should have: read again without filters.
 */
export async function listNonCompliantItems(
  client: SSMClient,
  instanceId: string,
  expectedTypes: readonly string[],
  fallbacks: ReadFallbacks,
): Promise<ComplianceItem[]> {
  const keep = (items: ComplianceItem[]) =>
    items.filter((item) => item.Status === 'NON_COMPLIANT' && item.ComplianceType !== 'Patch' && (item.ResourceId === undefined || item.ResourceId === instanceId));
  if (!fallbacks.has('items.no-filter')) {
    let filtered: ComplianceItem[] | undefined;
    try {
      filtered = keep(
        await pageItems(client, instanceId, [NON_COMPLIANT, { Key: 'ComplianceType', Values: ['Patch'], Type: 'NOT_EQUAL' }], MAX_DETAIL_PAGES),
      );
    } catch (error) {
      if (!isFilterRejected(error)) throw error;
      fallbacks.degrade('items.no-filter', refusalEvidence('ListComplianceItems Status EQUAL + ComplianceType NOT_EQUAL', error));
    }
    if (filtered) {
      const missing = expectedTypes.filter((type) => !filtered.some((item) => item.ComplianceType === type));
      if (missing.length === 0) return filtered;
      const unfiltered = keep(await pageItems(client, instanceId, undefined, MAX_UNFILTERED_PAGES));
      if (unfiltered.length > filtered.length) {
        fallbacks.degrade('items.no-filter', `filtered ListComplianceItems returned no ${missing.join(', ')} item; the unfiltered list did`);
      }
      return unfiltered.length > filtered.length ? unfiltered : filtered;
    }
  }
  // ResourceIds + ResourceTypes without Filters: the form of the API reference's request syntax.
  return keep(await pageItems(client, instanceId, undefined, MAX_UNFILTERED_PAGES));
}

async function pageItems(client: SSMClient, instanceId: string, filters: Filter[] | undefined, maxPages: number): Promise<ComplianceItem[]> {
  const items: ComplianceItem[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(
      new ListComplianceItemsCommand({
        ResourceIds: [instanceId],
        ResourceTypes: ['ManagedInstance'],
        ...(filters ? { Filters: filters } : {}),
        MaxResults: 50,
        NextToken: nextToken,
      }),
    );
    for (const item of page.ComplianceItems ?? []) items.push(toJsonShape(item) as ComplianceItem);
    nextToken = page.NextToken;
    pages += 1;
  } while (nextToken && pages < maxPages);
  return items;
}
