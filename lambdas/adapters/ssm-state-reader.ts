/**
 * NodeStateReader over SSM: one snapshot per node for a set of node IDs, in as few calls as the APIs allow.
 *
 * Summary (batched, constant calls per 50 nodes):
 *  - DescribeInstanceInformation, Filters InstanceIds (50 per call);
 *  - DescribeInstancePatchStates, InstanceIds (50 per call);
 *  - ListResourceComplianceSummaries, Filters InstanceId (20 values per filter) + Status NON_COMPLIANT.
 *    Not ListComplianceItems: its model says "Currently, you can only specify one resource ID".
 * Detail (only for nodes whose summary is not clean, and only the calls that can add something):
 *  - DescribeInstancePatches with a State filter on the non-installed states;
 *  - DescribeInstanceAssociationsStatus;
 *  - ListComplianceItems (one node), NON_COMPLIANT and not Patch, when the summaries show such a type;
 *  - ListCommandInvocations, AWS-RunPatchBaseline invoked after the last patch operation;
 *  - ListTagsForResource for hybrid (`mi-`) nodes.
 *
 * Tags. The decision needs the scope tag's value for EC2 and hybrid nodes, without @aws-sdk/client-ec2.
 * SSM's ListTagsForResource only knows hybrid nodes (ResourceType ManagedInstance = `mi-*`), so it
 * cannot serve `i-` nodes. DescribeInstanceInformation accepts `tag:<key>` filters for both kinds, but
 * a tag filter cannot be combined with other filter types (API reference, DescribeInstanceInformation
 * `Filters`), so it cannot be scoped to a chunk of IDs. We therefore list, per scope value
 * (auto | notify | off), the nodes carrying `<tagKey>=<value>` (⌈tagged nodes / 50⌉ + 3 calls), and
 * reuse that index for `scopeTagCacheMinutes`, independent of batch size. In the pipeline the index is
 * shared through the ledger table (`tagIndexStore`): one container rebuilds it per TTL, the others read
 * it from DynamoDB, so its SSM cost does not grow with the number of warm containers. `mi-` nodes that need detail additionally get all their tags (Name included) from
 * ListTagsForResource; for `i-` nodes the alert falls back to ComputerName for a name.
 *
 * Errors never lose a node: an unknown ID lands in `unknown`; throttling that outlived the SDK's
 * retries (or any other failure) puts the affected nodes in `failed`, `retryable` unless the error
 * is a client error that a retry cannot fix.
 */
import { createHash } from 'node:crypto';
import {
  DescribeInstanceAssociationsStatusCommand,
  DescribeInstanceInformationCommand,
  DescribeInstancePatchesCommand,
  DescribeInstancePatchStatesCommand,
  ListCommandInvocationsCommand,
  ListComplianceItemsCommand,
  ListResourceComplianceSummariesCommand,
  ListTagsForResourceCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { normalizePatchState, type PatchState } from '../domain/patch-state';
import type { AutopilotSettings } from '../domain/settings';
import type {
  CommandInvocation,
  ComplianceItem,
  InstanceAssociationStatus,
  InstanceInformation,
  InstancePatchState,
  NodeSnapshot,
  PatchComplianceData,
  ResourceComplianceSummary,
} from '../domain/types';
import {
  systemClock,
  type Clock,
  type NodeReadFailure,
  type NodeStateReader,
  type NodeSummary,
  type OperationalSink,
  type ReadOptions,
  type ScopeTagIndexStore,
  type SnapshotReadResult,
} from '../ports';

/** DescribeInstanceInformation / DescribeInstancePatchStates take up to 50 IDs per call. */
export const SUMMARY_CHUNK_SIZE = 50;
/** ComplianceStringFilter Values: at most 20 per filter (service model ComplianceFilterValueList). */
export const COMPLIANCE_FILTER_VALUES = 20;
/** Detail reads run for this many nodes at once (each is 2-5 calls). */
const DETAIL_CONCURRENCY = 4;
/** Per-node lists are capped: evidence shows 10 entries, counts come from the patch state. */
const MAX_DETAIL_PAGES = 10;
const SCOPE_TAG_VALUES = ['auto', 'notify', 'off'] as const;
/** A container that claimed the rebuild of the shared tag index holds the claim this long. */
const TAG_INDEX_CLAIM_MS = 5 * 60_000;
/** While another container rebuilds it, a stale shared index is looked at again after this long. */
const TAG_INDEX_RECHECK_MS = 60_000;
/** States DescribeInstancePatches is filtered on: the ones a cause can be made of. */
const INTERESTING_PATCH_STATES: PatchState[] = ['Missing', 'Failed', 'InstalledPendingReboot', 'InstalledRejected', 'AvailableSecurityUpdate'];
const FILTER_REJECTED_ERRORS = new Set(['InvalidFilter', 'InvalidFilterValue', 'InvalidFilterKey', 'ValidationException']);
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
  private readonly tagIndexTtlMs: number;
  private readonly commandLookbackHours: number;
  private readonly regionOverride: string | undefined;
  private readonly detailMode: 'dirty-only' | 'always';
  private readonly tagIndexStore: ScopeTagIndexStore | undefined;
  private readonly sink: Pick<OperationalSink, 'warn' | 'count'> | undefined;
  /** The index this container uses, until `reuseUntil` (epoch ms). */
  private tagIndex: { reuseUntil: number; valueByNode: Map<string, string> } | null = null;

  constructor(options: SsmStateReaderOptions) {
    this.client = options.client;
    this.settings = options.settings;
    this.clock = options.clock ?? systemClock;
    this.tagIndexTtlMs = options.tagIndexTtlMs ?? this.settings.scopeTagCacheMinutes * 60_000;
    this.commandLookbackHours = options.commandLookbackHours ?? 24 * 7;
    this.regionOverride = options.region;
    this.detailMode = options.detail ?? 'dirty-only';
    this.tagIndexStore = options.tagIndexStore;
    this.sink = options.sink;
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
      scopeTags = await this.scopeTagIndex();
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

  // -------------------------------------------------------------------------------------------
  // Summary phase
  // -------------------------------------------------------------------------------------------

  private async readSummaries(
    chunk: string[],
    scopeTags: Map<string, string>,
  ): Promise<{ summaries: NodeSummary[]; unknown: string[] }> {
    const [infos, states, complianceSummaries] = await Promise.all([
      this.withPerNodeFallback(chunk, (ids) => this.describeInstanceInformation(ids)),
      this.withPerNodeFallback(chunk, (ids) => this.describeInstancePatchStates(ids)),
      this.listNonCompliantSummaries(chunk),
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

  /**
   * DescribeInstanceInformation fails the whole call when one ID is invalid or not ours ("If you
   * specify a node ID that isn't valid or a node that you don't own, you receive an error", API
   * reference). Then each node is read alone, so one bad ID does not take 49 good ones down with it.
   */
  private async withPerNodeFallback<T>(chunk: string[], read: (ids: string[]) => Promise<T[]>): Promise<T[]> {
    try {
      return await read(chunk);
    } catch (error) {
      if (!isUnknownNodeError(error) || chunk.length === 1) {
        if (isUnknownNodeError(error)) return [];
        throw error;
      }
      const perNode: T[] = [];
      for (const id of chunk) {
        try {
          perNode.push(...(await read([id])));
        } catch (nodeError) {
          if (!isUnknownNodeError(nodeError)) throw nodeError;
        }
      }
      return perNode;
    }
  }

  private async describeInstanceInformation(ids: string[]): Promise<InstanceInformation[]> {
    const entries: InstanceInformation[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
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

  private async describeInstancePatchStates(ids: string[]): Promise<InstancePatchState[]> {
    const entries: InstancePatchState[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new DescribeInstancePatchStatesCommand({ InstanceIds: ids, MaxResults: 50, NextToken: nextToken }),
      );
      for (const entry of page.InstancePatchStates ?? []) {
        if (entry.InstanceId) entries.push(toJsonShape(entry) as InstancePatchState);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return entries;
  }

  private async listNonCompliantSummaries(ids: string[]): Promise<ResourceComplianceSummary[]> {
    const entries: ResourceComplianceSummary[] = [];
    for (const group of chunks(ids, COMPLIANCE_FILTER_VALUES)) {
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(
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

  /**
   * The scope tag index, reused for `tagIndexTtlMs` after it was built. With a shared store: a fresh
   * shared index is used as it is; a stale one is rebuilt by the one container that claims the
   * refresh, while the others keep the stale index for at most one more TTL (checking again every
   * minute) before they build their own. Any store failure falls back to building from SSM.
   */
  private async scopeTagIndex(): Promise<Map<string, string>> {
    const now = this.clock.now().getTime();
    if (this.tagIndex && now < this.tagIndex.reuseUntil) return this.tagIndex.valueByNode;
    const store = this.tagIndexStore;
    if (!store) return this.buildScopeTagIndex(now);
    try {
      const shared = await store.load();
      const builtAt = shared ? Date.parse(shared.builtAt) : Number.NaN;
      if (shared && now - builtAt < this.tagIndexTtlMs) {
        this.tagIndex = { reuseUntil: builtAt + this.tagIndexTtlMs, valueByNode: shared.valueByNode };
        return shared.valueByNode;
      }
      const claimed = await store.claimRefresh(new Date(now), new Date(now + TAG_INDEX_CLAIM_MS));
      if (!claimed && shared && now - builtAt < 2 * this.tagIndexTtlMs) {
        this.tagIndex = { reuseUntil: now + Math.min(TAG_INDEX_RECHECK_MS, this.tagIndexTtlMs), valueByNode: shared.valueByNode };
        return shared.valueByNode;
      }
    } catch (error) {
      this.sink?.count('TagIndexStoreFailures');
      this.sink?.warn('shared scope tag index unreadable: building it from SSM', { error: String(error) });
      return this.buildScopeTagIndex(now);
    }
    const valueByNode = await this.buildScopeTagIndex(now);
    try {
      await store.save({ builtAt: new Date(now).toISOString(), valueByNode });
    } catch (error) {
      this.sink?.count('TagIndexStoreFailures');
      this.sink?.warn('shared scope tag index not saved: other containers build their own', { error: String(error) });
    }
    return valueByNode;
  }

  private async buildScopeTagIndex(now: number): Promise<Map<string, string>> {
    const valueByNode = new Map<string, string>();
    for (const value of SCOPE_TAG_VALUES) {
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(
          new DescribeInstanceInformationCommand({
            Filters: [{ Key: `tag:${this.settings.tagKey}`, Values: [value] }],
            MaxResults: 50,
            NextToken: nextToken,
          }),
        );
        for (const entry of page.InstanceInformationList ?? []) {
          if (entry.InstanceId) valueByNode.set(entry.InstanceId, value);
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    this.tagIndex = { reuseUntil: now + this.tagIndexTtlMs, valueByNode };
    this.sink?.count('TagIndexBuilds');
    return valueByNode;
  }

  // -------------------------------------------------------------------------------------------
  // Detail phase
  // -------------------------------------------------------------------------------------------

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
    const [patches, associationStatuses, complianceItems, commandInvocations, hybridTags] = await Promise.all([
      this.needsPatchList(summary) ? this.describeInstancePatches(summary.instanceId) : Promise.resolve([]),
      this.describeAssociationStatuses(summary.instanceId),
      summary.nonCompliantSummaries.some((entry) => entry.ComplianceType !== 'Patch')
        ? this.listNonCompliantItems(summary.instanceId)
        : Promise.resolve([]),
      this.listPatchCommands(summary),
      summary.instanceId.startsWith('mi-') ? this.listHybridTags(summary.instanceId) : Promise.resolve({}),
    ]);
    snapshot.patches = patches;
    snapshot.associationStatuses = associationStatuses;
    snapshot.complianceItems = complianceItems;
    snapshot.commandInvocations = commandInvocations;
    snapshot.tags = { ...hybridTags, ...summary.tags };
    return snapshot;
  }

  private needsPatchList(summary: NodeSummary): boolean {
    const state = summary.patchState;
    if (!state) return false;
    return [
      state.MissingCount,
      state.FailedCount,
      state.InstalledPendingRebootCount,
      state.InstalledRejectedCount,
      state.AvailableSecurityUpdateCount,
    ].some((value) => (value ?? 0) > 0);
  }

  /**
   * The State filter's value spelling is ambiguous (the model enumerates INSTALLED_PENDING_REBOOT, the
   * API reference's samples say InstalledPendingReboot). If the service rejects the filter, the list
   * is read unfiltered and filtered here with the normalised state instead.
   */
  private async describeInstancePatches(instanceId: string): Promise<PatchComplianceData[]> {
    try {
      return await this.pagePatches(instanceId, [{ Key: 'State', Values: INTERESTING_PATCH_STATES }]);
    } catch (error) {
      if (!(error instanceof Error) || !FILTER_REJECTED_ERRORS.has(error.name)) throw error;
      const all = await this.pagePatches(instanceId, undefined);
      const wanted = new Set(INTERESTING_PATCH_STATES);
      return all.filter((patch) => wanted.has(normalizePatchState(patch.State)));
    }
  }

  private async pagePatches(
    instanceId: string,
    filters: { Key: string; Values: string[] }[] | undefined,
  ): Promise<PatchComplianceData[]> {
    const patches: PatchComplianceData[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await this.client.send(
        new DescribeInstancePatchesCommand({
          InstanceId: instanceId,
          ...(filters ? { Filters: filters } : {}),
          MaxResults: 50,
          NextToken: nextToken,
        }),
      );
      for (const patch of page.Patches ?? []) patches.push(toJsonShape(patch) as PatchComplianceData);
      nextToken = page.NextToken;
      pages += 1;
    } while (nextToken && pages < MAX_DETAIL_PAGES);
    return patches;
  }

  private async describeAssociationStatuses(instanceId: string): Promise<InstanceAssociationStatus[]> {
    const statuses: InstanceAssociationStatus[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await this.client.send(
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

  private async listNonCompliantItems(instanceId: string): Promise<ComplianceItem[]> {
    const items: ComplianceItem[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await this.client.send(
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

  /** Only runs after the last reported patch operation matter (patch-operation-failed.ts): one small page. */
  private async listPatchCommands(summary: NodeSummary): Promise<CommandInvocation[]> {
    const lastEnd = summary.patchState?.OperationEndTime;
    const since = lastEnd ? new Date(lastEnd) : new Date(this.clock.now().getTime() - this.commandLookbackHours * 3_600_000);
    const page = await this.client.send(
      new ListCommandInvocationsCommand({
        InstanceId: summary.instanceId,
        Filters: [
          { key: 'DocumentName', value: 'AWS-RunPatchBaseline' },
          { key: 'InvokedAfter', value: since.toISOString().replace(/\.\d{3}Z$/, 'Z') },
        ],
        MaxResults: 10,
      }),
    );
    return (page.CommandInvocations ?? []).map((invocation) => toJsonShape(invocation) as CommandInvocation);
  }

  private async listHybridTags(instanceId: string): Promise<Record<string, string>> {
    const page = await this.client.send(
      new ListTagsForResourceCommand({ ResourceType: 'ManagedInstance', ResourceId: instanceId }),
    );
    return Object.fromEntries((page.TagList ?? []).flatMap((tag) => (tag.Key ? [[tag.Key, tag.Value ?? '']] : [])));
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers (exported for tests and the triage use case)
// ---------------------------------------------------------------------------------------------

/**
 * A summary is clean when it proves the node needs no explanation: agent Online, a patch state with
 * no missing/failed/pending-reboot/rejected patches (nor available security updates on Windows),
 * a scan younger than `staleScanHours`, no NON_COMPLIANT compliance type and no failed association.
 */
export function isSummaryClean(summary: NodeSummary, staleScanHours: number, now: Date): boolean {
  const info = summary.instanceInformation;
  const state = summary.patchState;
  if (!info || info.PingStatus !== 'Online' || !state) return false;
  const bad = [state.MissingCount, state.FailedCount, state.InstalledPendingRebootCount, state.InstalledRejectedCount];
  if (info.PlatformType === 'Windows') bad.push(state.AvailableSecurityUpdateCount);
  if (bad.some((value) => (value ?? 0) > 0)) return false;
  const ended = state.OperationEndTime ? Date.parse(state.OperationEndTime) : Number.NaN;
  if (Number.isNaN(ended) || now.getTime() - ended > staleScanHours * 3_600_000) return false;
  if (summary.nonCompliantSummaries.length > 0) return false;
  // DescribeInstanceInformation's roll-up of the node's association runs.
  if ((info.AssociationStatus ?? '').toLowerCase() !== 'success' && info.AssociationStatus !== undefined) return false;
  return true;
}

/** Fields that change on every ping or inventory run do not belong in the fingerprint. */
const VOLATILE_INFO_FIELDS = new Set([
  'LastPingDateTime',
  'LastAssociationExecutionDate',
  'LastSuccessfulAssociationExecutionDate',
  'AgentVersion',
  'IsLatestVersion',
  'IPAddress',
]);

export function summaryFingerprint(summary: Omit<NodeSummary, 'fingerprint'>): string {
  const info = summary.instanceInformation
    ? Object.fromEntries(Object.entries(summary.instanceInformation).filter(([key]) => !VOLATILE_INFO_FIELDS.has(key)))
    : null;
  const compliance = summary.nonCompliantSummaries
    .map((entry) => ({
      type: entry.ComplianceType ?? '',
      status: entry.Status ?? '',
      severity: entry.OverallSeverity ?? '',
      count: entry.NonCompliantSummary?.NonCompliantCount ?? null,
    }))
    .sort((a, b) => a.type.localeCompare(b.type));
  const canonical = stableStringify({ info, patchState: summary.patchState, compliance, tags: summary.tags });
  return createHash('sha256').update(canonical).digest('hex');
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${stableStringify(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** SDK output -> snapshot JSON: Dates to ISO strings, undefined fields dropped. */
export function toJsonShape(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonShape);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([key, inner]) => inner !== undefined && key !== '$metadata')
        .map(([key, inner]) => [key, toJsonShape(inner)]),
    );
  }
  return value;
}

const UNKNOWN_NODE_ERRORS = new Set(['InvalidInstanceId', 'InvalidResourceId', 'InvalidInstanceInformationFilterValue']);

export function isUnknownNodeError(error: unknown): boolean {
  return error instanceof Error && UNKNOWN_NODE_ERRORS.has(error.name);
}

/** Client errors a retry cannot fix; everything else (throttling, 5xx, network, unknown) is retried. */
const PERMANENT_ERRORS = new Set([
  'AccessDeniedException',
  'ValidationException',
  'InvalidFilterKey',
  'InvalidFilter',
  'InvalidFilterValue',
  'InvalidNextToken',
  'UnrecognizedClientException',
]);

export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (PERMANENT_ERRORS.has(error.name)) return false;
  return true;
}

function failure(instanceId: string, stage: string, error: unknown): NodeReadFailure {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return { instanceId, error: `${stage}: ${name}: ${message}`, retryable: isRetryable(error) };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item !== undefined) await work(item);
    }
  });
  await Promise.all(workers);
}
