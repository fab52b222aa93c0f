/**
 * The fleet-wide scope tag index: per scope value (auto | notify | off), the nodes carrying
 * `<tagKey>=<value>`, listed through DescribeInstanceInformation's `tag:<key>` filter
 * (⌈tagged nodes / 50⌉ + 3 calls) and reused for a TTL. A tag filter cannot be combined with other
 * filter types (API reference, DescribeInstanceInformation `Filters`), so it cannot be scoped to a
 * chunk of IDs. In the pipeline the index is shared through the ledger table (`store`): one
 * container rebuilds it per TTL, the others read it from DynamoDB.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Clock, OperationalSink, ScopeTagIndexStore } from '../../ports';
import { listNodesWithTag } from './instance-info';

const SCOPE_TAG_VALUES = ['auto', 'notify', 'off'] as const;
/** A container that claimed the rebuild of the shared tag index holds the claim this long. */
const TAG_INDEX_CLAIM_MS = 5 * 60_000;
/** While another container rebuilds it, a stale shared index is looked at again after this long. */
const TAG_INDEX_RECHECK_MS = 60_000;

export interface ScopeTagIndexCacheOptions {
  client: SSMClient;
  tagKey: string;
  clock: Clock;
  ttlMs: number;
  store?: ScopeTagIndexStore | undefined;
  sink?: Pick<OperationalSink, 'warn' | 'count'> | undefined;
}

export class ScopeTagIndexCache {
  /** The index this container uses, until `reuseUntil` (epoch ms). */
  private index: { reuseUntil: number; valueByNode: Map<string, string> } | null = null;

  constructor(private readonly options: ScopeTagIndexCacheOptions) {}

  /**
   * The scope tag index, reused for `ttlMs` after it was built. With a shared store: a fresh
   * shared index is used as it is; a stale one is rebuilt by the one container that claims the
   * refresh, while the others keep the stale index for at most one more TTL (checking again every
   * minute) before they build their own. Any store failure falls back to building from SSM.
   */
  async get(): Promise<Map<string, string>> {
    const { clock, ttlMs, store, sink } = this.options;
    const now = clock.now().getTime();
    if (this.index && now < this.index.reuseUntil) return this.index.valueByNode;
    if (!store) return this.build(now);
    try {
      const shared = await store.load();
      const builtAt = shared ? Date.parse(shared.builtAt) : Number.NaN;
      if (shared && now - builtAt < ttlMs) {
        this.index = { reuseUntil: builtAt + ttlMs, valueByNode: shared.valueByNode };
        return shared.valueByNode;
      }
      const claimed = await store.claimRefresh(new Date(now), new Date(now + TAG_INDEX_CLAIM_MS));
      if (!claimed && shared && now - builtAt < 2 * ttlMs) {
        this.index = { reuseUntil: now + Math.min(TAG_INDEX_RECHECK_MS, ttlMs), valueByNode: shared.valueByNode };
        return shared.valueByNode;
      }
    } catch (error) {
      sink?.count('TagIndexStoreFailures');
      sink?.warn('shared scope tag index unreadable: building it from SSM', { error: String(error) });
      return this.build(now);
    }
    const valueByNode = await this.build(now);
    try {
      await store.save({ builtAt: new Date(now).toISOString(), valueByNode });
    } catch (error) {
      sink?.count('TagIndexStoreFailures');
      sink?.warn('shared scope tag index not saved: other containers build their own', { error: String(error) });
    }
    return valueByNode;
  }

  private async build(now: number): Promise<Map<string, string>> {
    const valueByNode = new Map<string, string>();
    for (const value of SCOPE_TAG_VALUES) {
      for (const id of await listNodesWithTag(this.options.client, this.options.tagKey, value)) valueByNode.set(id, value);
    }
    this.index = { reuseUntil: now + this.options.ttlMs, valueByNode };
    this.options.sink?.count('TagIndexBuilds');
    return valueByNode;
  }
}
