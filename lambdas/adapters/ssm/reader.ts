/**
 * NodeStateReader over SSM: one snapshot per node for a set of node IDs, in as few calls as the APIs allow.
 * The calls live in one module per API family next to this one; this file only orchestrates them.
 *
 * Summary (batched, constant calls per 50 nodes):
 *  - DescribeInstanceInformation, Filters InstanceIds (50 per call)            instance-info.ts
 *  - DescribeInstancePatchStates, InstanceIds (50 per call)                    patches.ts
 *  - ListResourceComplianceSummaries, Filters InstanceId + Status NON_COMPLIANT compliance.ts
 *    Not ListComplianceItems: its model says "Currently, you can only specify one resource ID".
 * Detail (only for nodes whose summary is not clean, and only the calls that can add something):
 *  - DescribeInstancePatches with a State filter on the non-installed states   patches.ts
 *  - DescribeInstanceAssociationsStatus                                        associations.ts
 *  - ListComplianceItems (one node), NON_COMPLIANT and not Patch               compliance.ts
 *  - ListCommandInvocations, AWS-RunPatchBaseline after the last patch op      commands.ts
 *  - ListTagsForResource for hybrid (`mi-`) nodes                              instance-info.ts
 * Scope tags: scope-tag-index.ts. Refused filters, unknown nodes, retryability: fallback-policy.ts.
 *
 * Errors never lose a node: an unknown ID lands in `unknown`; throttling that outlived the SDK's
 * retries (or any other failure) puts the affected nodes in `failed`, `retryable` unless the error
 * is a client error that a retry cannot fix.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { AutopilotSettings } from '../../domain/settings';
import type { NodeSnapshot, ResourceComplianceSummary } from '../../domain/types';
import {
  systemClock,
  type Clock,
  type NodeStateReader,
  type NodeSummary,
  type OperationalSink,
  type ReadOptions,
  type ScopeTagIndexStore,
  type SnapshotReadResult,
} from '../../ports';
import { describeAssociationStatuses } from './associations';
import { listPatchCommands } from './commands';
import { listNonCompliantItems, listNonCompliantSummaries } from './compliance';
import { failure, isUnknownNodeError, withPerNodeFallback } from './fallback-policy';
import { describeInstanceInformation, listHybridTags } from './instance-info';
import { describeInstancePatches, describeInstancePatchStates, needsPatchList } from './patches';
import { ScopeTagIndexCache } from './scope-tag-index';
import { chunks, forEachLimited } from './sdk-shapes';
import { isSummaryClean, summaryFingerprint } from './summary';

/** DescribeInstanceInformation / DescribeInstancePatchStates take up to 50 IDs per call. */
export const SUMMARY_CHUNK_SIZE = 50;
/** Detail reads run for this many nodes at once (each is 2-5 calls). */
const DETAIL_CONCURRENCY = 4;
const INSTANCE_ID = /^(i|mi)-[0-9a-f]{8,17}$/;

export interface SsmStateReaderOptions {
  client: SSMClient;
  settings: Pick<AutopilotSettings, 'tagKey' | 'staleScanHours' | 'scopeTagCacheMinutes'>;
  clock?: Clock;
  /** Region recorded in snapshots (console links); defaults to the client's region. */
  region?: string;
  /** How long the scope-tag index is reused. Default `scopeTagCacheMinutes`. */
  tagIndexTtlMs?: number;
  /**
   * Where the index is shared between containers (the pipeline: the ledger table). Without it (the
   * diagnose CLI, tests) each reader builds its own.
   */
  tagIndexStore?: ScopeTagIndexStore;
  /** Warnings of the shared index (unreadable store: the reader builds its own and goes on). */
  sink?: Pick<OperationalSink, 'warn' | 'count'>;
  /** With no patch state, look this far back for patch commands. Default 7 days. */
  commandLookbackHours?: number;
  /**
   * `dirty-only` (default, the pipeline): detail calls only for nodes whose summary is not clean.
   * `always` (the diagnose CLI, one node): detail calls for every node, so nothing is assumed.
   */
  detail?: 'dirty-only' | 'always';
}

type ReadAllResult = SnapshotReadResult & { skipped: NodeSummary[] };

export class SsmStateReader implements NodeStateReader {
  private readonly client: SSMClient;
  private readonly settings: SsmStateReaderOptions['settings'];
  private readonly clock: Clock;
  private readonly commandLookbackHours: number;
  private readonly regionOverride: string | undefined;
  private readonly detailMode: 'dirty-only' | 'always';
  private readonly scopeTags: ScopeTagIndexCache;

  constructor(options: SsmStateReaderOptions) {
    this.client = options.client;
    this.settings = options.settings;
    this.clock = options.clock ?? systemClock;
    this.commandLookbackHours = options.commandLookbackHours ?? 24 * 7;
    this.regionOverride = options.region;
    this.detailMode = options.detail ?? 'dirty-only';
    this.scopeTags = new ScopeTagIndexCache({
      client: options.client,
      tagKey: this.settings.tagKey,
      clock: this.clock,
      ttlMs: options.tagIndexTtlMs ?? this.settings.scopeTagCacheMinutes * 60_000,
      store: options.tagIndexStore,
      sink: options.sink,
    });
  }

  async readSnapshots(instanceIds: string[], options: ReadOptions = {}): Promise<ReadAllResult> {
    const result: ReadAllResult = { snapshots: [], unknown: [], failed: [], skipped: [] };
    const ids = [...new Set(instanceIds)];
    // A malformed ID would make the whole batched call fail with InvalidInstanceId.
    const wellFormed = ids.filter((id) => INSTANCE_ID.test(id));
    result.unknown.push(...ids.filter((id) => !INSTANCE_ID.test(id)));
    if (wellFormed.length === 0) return result;

    const region = this.regionOverride ?? (await this.client.config.region());
    let scopeTags: Map<string, string>;
    try {
      scopeTags = await this.scopeTags.get();
    } catch (error) {
      // Without the scope tag the policy could act on an opted-out node: retry the whole batch later.
      result.failed.push(...wellFormed.map((id) => failure(id, 'scope tag index (DescribeInstanceInformation tag filter)', error)));
      return result;
    }

    for (const chunk of chunks(wellFormed, SUMMARY_CHUNK_SIZE)) {
      let summaries: NodeSummary[];
      try {
        const read = await this.readSummaries(chunk, scopeTags);
        summaries = read.summaries;
        result.unknown.push(...read.unknown);
      } catch (error) {
        result.failed.push(...chunk.map((id) => failure(id, 'summary read', error)));
        continue;
      }
      const wantDetail: NodeSummary[] = [];
      for (const summary of summaries) {
        if (options.needsDetail && !(await options.needsDetail(summary))) result.skipped.push(summary);
        else wantDetail.push(summary);
      }
      await forEachLimited(wantDetail, DETAIL_CONCURRENCY, async (summary) => {
        try {
          result.snapshots.push(await this.buildSnapshot(summary, region));
        } catch (error) {
          if (isUnknownNodeError(error)) result.unknown.push(summary.instanceId);
          else result.failed.push(failure(summary.instanceId, 'detail read', error));
        }
      });
    }
    return result;
  }

  /** True when the batched summary alone proves there is nothing to explain (no detail call needed). */
  isSummaryClean(summary: NodeSummary): boolean {
    return isSummaryClean(summary, this.settings.staleScanHours, this.clock.now());
  }

  private async readSummaries(
    chunk: string[],
    scopeTags: Map<string, string>,
  ): Promise<{ summaries: NodeSummary[]; unknown: string[] }> {
    const [infos, states, complianceSummaries] = await Promise.all([
      withPerNodeFallback(chunk, (ids) => describeInstanceInformation(this.client, ids)),
      withPerNodeFallback(chunk, (ids) => describeInstancePatchStates(this.client, ids)),
      listNonCompliantSummaries(this.client, chunk),
    ]);
    const infoById = new Map(infos.map((info) => [info.InstanceId, info]));
    const stateById = new Map(states.map((state) => [state.InstanceId, state]));
    const summariesById = new Map<string, ResourceComplianceSummary[]>();
    for (const summary of complianceSummaries) {
      const id = summary.ResourceId ?? '';
      summariesById.set(id, [...(summariesById.get(id) ?? []), summary]);
    }
    const summaries: NodeSummary[] = [];
    const unknown: string[] = [];
    for (const instanceId of chunk) {
      const instanceInformation = infoById.get(instanceId) ?? null;
      const patchState = stateById.get(instanceId) ?? null;
      const nonCompliantSummaries = summariesById.get(instanceId) ?? [];
      if (!instanceInformation && !patchState && nonCompliantSummaries.length === 0) {
        unknown.push(instanceId);
        continue;
      }
      const scopeValue = scopeTags.get(instanceId);
      const tags: Record<string, string> = scopeValue === undefined ? {} : { [this.settings.tagKey]: scopeValue };
      const base = { instanceId, instanceInformation, patchState, nonCompliantSummaries, tags };
      summaries.push({ ...base, fingerprint: summaryFingerprint(base) });
    }
    return { summaries, unknown };
  }

  private async buildSnapshot(summary: NodeSummary, region: string): Promise<NodeSnapshot> {
    const snapshot: NodeSnapshot = {
      instanceId: summary.instanceId,
      capturedAt: this.clock.now().toISOString(),
      region,
      instanceInformation: summary.instanceInformation,
      patchState: summary.patchState,
      complianceSummaries: summary.nonCompliantSummaries,
      tags: { ...summary.tags },
    };
    if (this.detailMode === 'dirty-only' && this.isSummaryClean(summary)) {
      // Clean summary: no non-installed patch counts and no non-compliant type, so these are known empty.
      snapshot.patches = [];
      snapshot.complianceItems = [];
      return snapshot;
    }
    const id = summary.instanceId;
    const [patches, associationStatuses, complianceItems, commandInvocations, hybridTags] = await Promise.all([
      needsPatchList(summary.patchState) ? describeInstancePatches(this.client, id) : Promise.resolve([]),
      describeAssociationStatuses(this.client, id),
      summary.nonCompliantSummaries.some((entry) => entry.ComplianceType !== 'Patch')
        ? listNonCompliantItems(this.client, id)
        : Promise.resolve([]),
      listPatchCommands(this.client, id, this.commandsSince(summary)),
      id.startsWith('mi-') ? listHybridTags(this.client, id) : Promise.resolve({}),
    ]);
    snapshot.patches = patches;
    snapshot.associationStatuses = associationStatuses;
    snapshot.complianceItems = complianceItems;
    snapshot.commandInvocations = commandInvocations;
    snapshot.tags = { ...hybridTags, ...summary.tags };
    return snapshot;
  }

  /** Patch commands after the last reported patch operation, else within the lookback. */
  private commandsSince(summary: NodeSummary): Date {
    const lastEnd = summary.patchState?.OperationEndTime;
    return lastEnd ? new Date(lastEnd) : new Date(this.clock.now().getTime() - this.commandLookbackHours * 3_600_000);
  }
}
