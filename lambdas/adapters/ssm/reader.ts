/**
 * NodeStateReader over SSM: one snapshot per node for a set of node IDs, in as few calls as the APIs allow.
 * The calls live in one module per API family next to this one; this file only orchestrates them.
 *
 * Summary (batched, constant calls per 50 nodes):
 *  - DescribeInstanceInformation, Filters InstanceIds (50 per call)            instance-info.ts
 *  - DescribeInstancePatchStates, InstanceIds (50 per call)                    patches.ts
 *  - ListResourceComplianceSummaries, Filters InstanceId + Status NON_COMPLIANT compliance.ts
 *    Not ListComplianceItems: its model says "Currently, you can only specify one resource ID".
 * Detail (only for nodes whose summary is not clean, and only the calls that can add something:
 * the table in domain/detail-plan.ts):
 *  - DescribeInstancePatches with a State filter on the non-installed states   patches.ts
 *  - DescribeInstanceAssociationsStatus, unless every association field of the
 *    summary says Success                                                      associations.ts
 *  - ListComplianceItems (one node), NON_COMPLIANT and not Patch               compliance.ts
 *  - ListCommandInvocations, AWS-RunPatchBaseline after the last patch op,
 *    unless the caller's DetailRequest defers it                               commands.ts
 * What was deferred is named in `NodeSnapshot.deferredDetail`; `completeSnapshot` reads it.
 * Tags (scope tag, Name): batched, for the nodes that get a detail read        node-tags.ts
 * Refused / ignored / empty filters, unknown nodes, retryability: fallback-policy.ts; each filtered
 * call is cross-checked against the node's counts in its own module (compliance.ts, patches.ts).
 *
 * Errors never lose a node: an unknown ID lands in `unknown`; throttling that outlived the SDK's
 * retries (or any other failure) puts the affected nodes in `failed`, `retryable` unless the error
 * is a client error that a retry cannot fix.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { associationItemsNeedStatuses, associationStatusesNeeded } from '../../domain/detail-plan';
import type { AutopilotSettings } from '../../domain/settings';
import type { DeferrableDetail, NodeSnapshot, ResourceComplianceSummary } from '../../domain/types';
import type { DetailRequest, NodeStateReader, NodeSummary, ReadOptions, SnapshotReadResult } from '../../ports/reading';
import { systemClock, type Clock, type OperationalSink } from '../../ports/runtime';
import { describeAssociationStatuses } from './associations';
import { listPatchCommands } from './commands';
import { ComplianceSummaryReads, listNonCompliantItems } from './compliance';
import { failure, isUnknownNodeError, ReadFallbacks, withPerNodeFallback } from './fallback-policy';
import { describeInstanceInformation } from './instance-info';
import type { NodeTagSource, NodeTags } from './node-tags';
import { describeInstancePatches, describeInstancePatchStates, needsPatchList } from './patches';
import { SsmTagFilterTagSource } from './scope-tag-index';
import { chunks, forEachLimited } from './sdk-shapes';
import { isSummaryClean, summaryFingerprint } from './summary';

/** DescribeInstanceInformation / DescribeInstancePatchStates take up to 50 IDs per call. */
export const SUMMARY_CHUNK_SIZE = 50;
/** Detail reads run for this many nodes at once (each is 2-5 calls). */
const DETAIL_CONCURRENCY = 4;
const INSTANCE_ID = /^(i|mi)-[0-9a-f]{8,17}$/;

export interface SsmStateReaderOptions {
  client: SSMClient;
  settings: Pick<AutopilotSettings, 'tagKey' | 'staleScanHours'>;
  clock?: Clock;
  /** Region recorded in snapshots (console links); defaults to the client's region. */
  region?: string;
  /**
   * Where the nodes' tags come from (node-tags.ts). The pipeline hands in the per-node tagging API
   * source; without one, the scope tag is read through SSM's tag filter (SsmTagFilterTagSource).
   */
  tags?: NodeTagSource;
  /** The degradations this reader (container) found necessary; one is made when not given. */
  fallbacks?: ReadFallbacks;
  /** Degradations are logged and counted here, once each. */
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
  private readonly tags: NodeTagSource;
  readonly fallbacks: ReadFallbacks;

  constructor(options: SsmStateReaderOptions) {
    this.client = options.client;
    this.settings = options.settings;
    this.clock = options.clock ?? systemClock;
    this.commandLookbackHours = options.commandLookbackHours ?? 24 * 7;
    this.regionOverride = options.region;
    this.detailMode = options.detail ?? 'dirty-only';
    this.fallbacks = options.fallbacks ?? new ReadFallbacks(options.sink);
    this.tags = options.tags ?? new SsmTagFilterTagSource(options.client, this.settings.tagKey, this.fallbacks);
  }

  async readSnapshots(instanceIds: string[], options: ReadOptions = {}): Promise<ReadAllResult> {
    const result: ReadAllResult = { snapshots: [], unknown: [], failed: [], skipped: [] };
    const ids = [...new Set(instanceIds)];
    // A malformed ID would make the whole batched call fail with InvalidInstanceId.
    const wellFormed = ids.filter((id) => INSTANCE_ID.test(id));
    result.unknown.push(...ids.filter((id) => !INSTANCE_ID.test(id)));
    if (wellFormed.length === 0) return result;

    const region = this.regionOverride ?? (await this.client.config.region());
    const complianceReads = new ComplianceSummaryReads(this.client, this.fallbacks);

    for (const chunk of chunks(wellFormed, SUMMARY_CHUNK_SIZE)) {
      let summaries: NodeSummary[];
      try {
        const read = await this.readSummaries(chunk, complianceReads);
        summaries = read.summaries;
        result.unknown.push(...read.unknown);
      } catch (error) {
        result.failed.push(...chunk.map((id) => failure(id, 'summary read', error)));
        continue;
      }
      const wantDetail: NodeSummary[] = [];
      const requests = new Map<string, DetailRequest>();
      for (const summary of summaries) {
        const wanted = options.needsDetail ? await options.needsDetail(summary) : true;
        if (wanted === false) {
          result.skipped.push(summary);
          continue;
        }
        wantDetail.push(summary);
        if (typeof wanted === 'object') requests.set(summary.instanceId, wanted);
      }
      if (wantDetail.length === 0) continue;
      // Tags only for the nodes evaluated now, in one batched read (node-tags.ts): an unchanged node
      // keeps its last decision, and IAM checks the scope tag again at SendCommand time.
      // A clean node's tags are deferred when the caller says no message will name it (DetailRequest).
      const tagsDeferred = new Set(
        wantDetail
          .filter((summary) => requests.get(summary.instanceId)?.tagsIfClean === false && this.detailMode === 'dirty-only' && this.isSummaryClean(summary))
          .map((summary) => summary.instanceId),
      );
      const tagged = wantDetail.map((summary) => summary.instanceId).filter((id) => !tagsDeferred.has(id));
      let tags: NodeTags;
      try {
        tags = tagged.length > 0 ? await this.tags.tagsOf(tagged) : new Map();
      } catch (error) {
        // Without the scope tag the policy could act on an opted-out node: retry these nodes later.
        result.failed.push(...wantDetail.map((summary) => failure(summary.instanceId, 'tag read', error)));
        continue;
      }
      await forEachLimited(wantDetail, DETAIL_CONCURRENCY, async (summary) => {
        try {
          const request = requests.get(summary.instanceId) ?? {};
          const nodeTags = tagsDeferred.has(summary.instanceId) ? undefined : (tags.get(summary.instanceId) ?? {});
          result.snapshots.push(await this.buildSnapshot(summary, region, nodeTags, request));
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
    complianceReads: ComplianceSummaryReads,
  ): Promise<{ summaries: NodeSummary[]; unknown: string[] }> {
    const [infos, states, firstRead] = await Promise.all([
      withPerNodeFallback(chunk, (ids) => describeInstanceInformation(this.client, ids)),
      withPerNodeFallback(chunk, (ids) => describeInstancePatchStates(this.client, ids)),
      complianceReads.nonCompliant(chunk),
    ]);
    const infoById = new Map(infos.map((info) => [info.InstanceId, info]));
    const stateById = new Map(states.map((state) => [state.InstanceId, state]));
    const complianceSummaries = await complianceReads.recheck(
      chunk,
      firstRead,
      (id) => expectedNonCompliantTypes(infoById.get(id), stateById.get(id)),
      // The CLI trusts nothing: a node with a patch state has a Patch summary, compliant or not.
      (id) => this.detailMode === 'always' && stateById.has(id),
    );
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
      // Tags are read after this, for the nodes that get a detail read only.
      const base = { instanceId, instanceInformation, patchState, nonCompliantSummaries, tags: {} };
      summaries.push({ ...base, fingerprint: summaryFingerprint(base, this.settings.tagKey) });
    }
    return { summaries, unknown };
  }

  /** `tags` undefined: deferred (a clean node no message will name). */
  private async buildSnapshot(summary: NodeSummary, region: string, tags: Record<string, string> | undefined, request: DetailRequest): Promise<NodeSnapshot> {
    const snapshot: NodeSnapshot = {
      instanceId: summary.instanceId,
      capturedAt: this.clock.now().toISOString(),
      region,
      instanceInformation: summary.instanceInformation,
      patchState: summary.patchState,
      complianceSummaries: summary.nonCompliantSummaries,
      tags: { ...tags },
    };
    const deferred: DeferrableDetail[] = tags === undefined ? ['tags'] : [];
    if (this.detailMode === 'dirty-only' && this.isSummaryClean(summary)) {
      // Clean summary: no non-installed patch counts and no non-compliant type, so these are known empty.
      snapshot.patches = [];
      snapshot.complianceItems = [];
      if (deferred.length > 0) snapshot.deferredDetail = deferred;
      return snapshot;
    }
    const id = summary.instanceId;
    const always = this.detailMode === 'always';
    const readAssociations = always || associationStatusesNeeded(summary.instanceInformation);
    const readCommands = always || request.commandHistory !== false;
    const otherTypes = [...new Set(summary.nonCompliantSummaries.flatMap((entry) => (entry.ComplianceType && entry.ComplianceType !== 'Patch' ? [entry.ComplianceType] : [])))];
    const [patches, associationStatuses, complianceItems, commandInvocations] = await Promise.all([
      needsPatchList(summary.patchState) ? describeInstancePatches(this.client, id, summary.patchState, this.fallbacks) : Promise.resolve([]),
      readAssociations ? describeAssociationStatuses(this.client, id) : Promise.resolve(undefined),
      otherTypes.length > 0 ? listNonCompliantItems(this.client, id, otherTypes, this.fallbacks) : Promise.resolve([]),
      readCommands ? listPatchCommands(this.client, id, this.commandsSince(summary.patchState)) : Promise.resolve(undefined),
    ]);
    snapshot.patches = patches;
    snapshot.complianceItems = complianceItems;
    // Cross-check (detail-plan.ts): an association item of a non-patch document that is NON_COMPLIANT
    // while the summary said every run succeeded: read the statuses after all.
    if (associationStatuses) snapshot.associationStatuses = associationStatuses;
    else if (associationItemsNeedStatuses(complianceItems)) snapshot.associationStatuses = await describeAssociationStatuses(this.client, id);
    else deferred.push('associationStatuses');
    if (commandInvocations) snapshot.commandInvocations = commandInvocations;
    else deferred.push('commandInvocations');
    if (deferred.length > 0) snapshot.deferredDetail = deferred;
    return snapshot;
  }

  async completeSnapshot(snapshot: NodeSnapshot): Promise<NodeSnapshot> {
    const deferred = new Set(snapshot.deferredDetail ?? []);
    if (deferred.size === 0) return snapshot;
    const id = snapshot.instanceId;
    const [associationStatuses, commandInvocations, tags] = await Promise.all([
      deferred.has('associationStatuses') ? describeAssociationStatuses(this.client, id) : Promise.resolve(snapshot.associationStatuses),
      deferred.has('commandInvocations') ? listPatchCommands(this.client, id, this.commandsSince(snapshot.patchState)) : Promise.resolve(snapshot.commandInvocations),
      deferred.has('tags') ? this.tags.tagsOf([id]).then((read) => read.get(id) ?? {}) : Promise.resolve(snapshot.tags),
    ]);
    const rest: NodeSnapshot = { ...snapshot };
    delete rest.deferredDetail;
    return {
      ...rest,
      ...(associationStatuses ? { associationStatuses } : {}),
      ...(commandInvocations ? { commandInvocations } : {}),
      ...(tags ? { tags } : {}),
    };
  }

  /** Patch commands after the last reported patch operation, else within the lookback. */
  private commandsSince(patchState: NodeSnapshot['patchState']): Date {
    const lastEnd = patchState?.OperationEndTime;
    return lastEnd ? new Date(lastEnd) : new Date(this.clock.now().getTime() - this.commandLookbackHours * 3_600_000);
  }
}

/**
 * Compliance types a node's other counts say must be NON_COMPLIANT: missing, failed or pending-reboot
 * patches always make Patch compliance NON_COMPLIANT (Patch Manager's compliance states); a failed
 * association roll-up comes from a failed association run, which the agent reports as Association
 * NON_COMPLIANT (AWS-FACTS.md, PutComplianceItems after every run).
 */
export function expectedNonCompliantTypes(info: NodeSnapshot['instanceInformation'] | undefined, state: NodeSnapshot['patchState'] | undefined): string[] {
  const types: string[] = [];
  if (state && [state.MissingCount, state.FailedCount, state.InstalledPendingRebootCount].some((count) => (count ?? 0) > 0)) types.push('Patch');
  if ((info?.AssociationStatus ?? '').toLowerCase() === 'failed') types.push('Association');
  return types;
}
