/** Patch state and patches: DescribeInstancePatchStates (batched) and DescribeInstancePatches (one node). */
import { DescribeInstancePatchesCommand, DescribeInstancePatchStatesCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { normalizePatchState, type PatchState } from '../../domain/patch-state';
import type { InstancePatchState, PatchComplianceData } from '../../domain/types';
import { isFilterRejected, refusalEvidence, type ReadFallbacks } from './fallback-policy';
import { MAX_DETAIL_PAGES, toJsonShape } from './sdk-shapes';

/** States DescribeInstancePatches is filtered on: the ones a cause can be made of. */
export const INTERESTING_PATCH_STATES: PatchState[] = ['Missing', 'Failed', 'InstalledPendingReboot', 'InstalledRejected', 'AvailableSecurityUpdate'];

/** DescribeInstancePatchStates, InstanceIds (up to 50 per call). */
export async function describeInstancePatchStates(client: SSMClient, ids: string[]): Promise<InstancePatchState[]> {
  const entries: InstancePatchState[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new DescribeInstancePatchStatesCommand({ InstanceIds: ids, MaxResults: 50, NextToken: nextToken }));
    for (const entry of page.InstancePatchStates ?? []) {
      if (entry.InstanceId) entries.push(toJsonShape(entry) as InstancePatchState);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return entries;
}

/** True when the patch state counts something a patch list can explain. */
export function needsPatchList(state: InstancePatchState | null): boolean {
  if (!state) return false;
  return [
    state.MissingCount,
    state.FailedCount,
    state.InstalledPendingRebootCount,
    state.InstalledRejectedCount,
    state.AvailableSecurityUpdateCount,
  ].some((value) => (value ?? 0) > 0);
}

/** Patches a state's count promises: the patch list should hold at least one of each. */
const COUNT_OF_STATE: Array<[PatchState, keyof InstancePatchState]> = [
  ['Missing', 'MissingCount'],
  ['Failed', 'FailedCount'],
  ['InstalledPendingReboot', 'InstalledPendingRebootCount'],
  ['InstalledRejected', 'InstalledRejectedCount'],
  ['AvailableSecurityUpdate', 'AvailableSecurityUpdateCount'],
];
/** Unfiltered reads carry every installed patch too: allow more pages before the cap. */
const MAX_UNFILTERED_PAGES = 40;

/**
 * The patches of the states a cause can be made of. The State filter's value spelling is not
 * verified (AWS-FACTS.md: the API reference's samples say `InstalledPendingReboot`, the model's
 * enum `INSTALLED_PENDING_REBOOT`); the samples' spelling is sent. Whatever SSM does with it:
 *  - refused (InvalidFilter, ...): read without the filter, filter here, remember (fallback-policy.ts);
 *  - ignored (other states come back): filtered here anyway (both spellings normalised);
 *  - matched nothing for a state whose count says there are some: read without the filter; when that
 *    finds more, the degradation is remembered.
 */
export async function describeInstancePatches(
  client: SSMClient,
  instanceId: string,
  state: InstancePatchState | null,
  fallbacks: ReadFallbacks,
): Promise<PatchComplianceData[]> {
  const wanted = new Set(INTERESTING_PATCH_STATES);
  const keep = (patches: PatchComplianceData[]) => patches.filter((patch) => wanted.has(normalizePatchState(patch.State)));
  if (!fallbacks.has('patches.no-state-filter')) {
    let filtered: PatchComplianceData[] | undefined;
    try {
      filtered = keep(await pagePatches(client, instanceId, [{ Key: 'State', Values: INTERESTING_PATCH_STATES }], MAX_DETAIL_PAGES));
    } catch (error) {
      if (!isFilterRejected(error)) throw error;
      fallbacks.degrade('patches.no-state-filter', refusalEvidence('DescribeInstancePatches State filter', error));
    }
    if (filtered) {
      const listed = filtered;
      const short = COUNT_OF_STATE.filter(([patchState, count]) => ((state?.[count] as number | undefined) ?? 0) > 0 && !listed.some((patch) => normalizePatchState(patch.State) === patchState));
      if (short.length === 0) return filtered;
      const unfiltered = keep(await pagePatches(client, instanceId, undefined, MAX_UNFILTERED_PAGES));
      if (unfiltered.length > filtered.length) {
        const states = short.map(([patchState]) => patchState).join(', ');
        fallbacks.degrade('patches.no-state-filter', `the State filter returned no ${states} patch although the patch state counts some; the unfiltered list did`);
        return unfiltered;
      }
      return filtered;
    }
  }
  return keep(await pagePatches(client, instanceId, undefined, MAX_UNFILTERED_PAGES));
}

async function pagePatches(
  client: SSMClient,
  instanceId: string,
  filters: { Key: string; Values: string[] }[] | undefined,
  maxPages: number,
): Promise<PatchComplianceData[]> {
  const patches: PatchComplianceData[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(
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
  } while (nextToken && pages < maxPages);
  return patches;
}
