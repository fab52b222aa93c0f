/**
 * Where a node's tags come from. The decision needs the scope tag's value, the alerts the EC2 `Name`
 * tag, for the nodes being evaluated only: the read must not grow with the fleet.
 *
 *  - `TaggingApiTagSource` (the pipeline and, when reachable, the CLI): EC2 instances through the
 *    Resource Groups Tagging API `GetResources` with `ResourceARNList` (up to 100 ARNs a call; a
 *    resource that is not found or never was tagged is simply absent, API reference), hybrid `mi-`
 *    nodes through SSM `ListTagsForResource` (ResourceType ManagedInstance, the documented way to read
 *    a managed instance's tags). Cached per node for `ttlMs`.
 *  - `SsmTagFilterTagSource` (the CLI's fallback when the tagging API cannot be reached): the scope tag
 *    only, through DescribeInstanceInformation `tag:<key>` filters (scope-tag-index.ts).
 *
 * Values are passed on as they are; the policy compares them trimmed and case-insensitively
 * (domain/policy/plan.ts `nodeModeOf`).
 */
import { GetResourcesCommand, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Clock } from '../../ports/runtime';
import { isUnknownNodeError } from './fallback-policy';
import { listHybridTags } from './instance-info';
import { chunks } from './sdk-shapes';

export type NodeTags = Map<string, Record<string, string>>;

export interface NodeTagSource {
  /** Tags of each node (an untagged node maps to {}). Throws when the tags cannot be known. */
  tagsOf(instanceIds: readonly string[]): Promise<NodeTags>;
}

/** GetResources accepts at most 100 ARNs in ResourceARNList (API reference). */
export const TAGGING_ARNS_PER_CALL = 100;

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function instanceArn(region: string, account: string, instanceId: string): string {
  return `arn:${partitionOf(region)}:ec2:${region}:${account}:instance/${instanceId}`;
}

export interface TaggingApiTagSourceOptions {
  tagging: ResourceGroupsTaggingAPIClient;
  ssm: SSMClient;
  region: () => Promise<string>;
  /** The account of the nodes (the ARN needs it): the pipeline reads it from its environment, the CLI from STS. */
  account: () => Promise<string>;
  clock: Clock;
  /** How long a node's tags are reused (`scopeTagCacheMinutes`). */
  ttlMs: number;
}

export class TaggingApiTagSource implements NodeTagSource {
  private readonly cache = new Map<string, { until: number; tags: Record<string, string> }>();

  constructor(private readonly options: TaggingApiTagSourceOptions) {}

  async tagsOf(instanceIds: readonly string[]): Promise<NodeTags> {
    const now = this.options.clock.now().getTime();
    const result: NodeTags = new Map();
    const stale: string[] = [];
    for (const id of instanceIds) {
      const cached = this.cache.get(id);
      if (cached && now < cached.until) result.set(id, cached.tags);
      else stale.push(id);
    }
    const ec2 = stale.filter((id) => id.startsWith('i-'));
    const hybrid = stale.filter((id) => id.startsWith('mi-'));
    const read = new Map<string, Record<string, string>>();
    if (ec2.length > 0) {
      const [region, account] = await Promise.all([this.options.region(), this.options.account()]);
      for (const group of chunks(ec2, TAGGING_ARNS_PER_CALL)) {
        // ResourceARNList excludes the pagination parameters (API reference): one page holds them all.
        const page = await this.options.tagging.send(new GetResourcesCommand({ ResourceARNList: group.map((id) => instanceArn(region, account, id)) }));
        for (const mapping of page.ResourceTagMappingList ?? []) {
          const id = mapping.ResourceARN?.split('/').pop();
          if (!id || !group.includes(id)) continue;
          read.set(id, Object.fromEntries((mapping.Tags ?? []).flatMap((tag) => (tag.Key ? [[tag.Key, tag.Value ?? '']] : []))));
        }
      }
    }
    for (const id of hybrid) {
      try {
        read.set(id, await listHybridTags(this.options.ssm, id));
      } catch (error) {
        // A deregistered node: the summary read reports it unknown.
        if (!isUnknownNodeError(error)) throw error;
      }
    }
    for (const id of stale) {
      // Absent from GetResources: never tagged (or not found; the summary read tells which).
      const tags = read.get(id) ?? {};
      this.cache.set(id, { until: now + this.options.ttlMs, tags });
      result.set(id, tags);
    }
    return result;
  }
}

/** Tries `primary`; when it fails, says why once (`onFallback`) and uses `fallback` from then on. */
export class FallbackTagSource implements NodeTagSource {
  private useFallback = false;

  constructor(
    private readonly primary: NodeTagSource,
    private readonly fallback: NodeTagSource,
    private readonly onFallback: (error: unknown) => void,
  ) {}

  async tagsOf(instanceIds: readonly string[]): Promise<NodeTags> {
    if (!this.useFallback) {
      try {
        return await this.primary.tagsOf(instanceIds);
      } catch (error) {
        this.useFallback = true;
        this.onFallback(error);
      }
    }
    return this.fallback.tagsOf(instanceIds);
  }
}
