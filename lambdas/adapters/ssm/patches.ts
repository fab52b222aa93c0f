/** Patch state and patches: DescribeInstancePatchStates (batched) and DescribeInstancePatches (one node). */
import { DescribeInstancePatchesCommand, DescribeInstancePatchStatesCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { normalizePatchState, type PatchState } from '../../domain/patch-state';
import type { InstancePatchState, PatchComplianceData } from '../../domain/types';
import { isFilterRejected } from './fallback-policy';
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

/**
 * The State filter's value spelling is ambiguous (the model enumerates INSTALLED_PENDING_REBOOT, the
 * API reference's samples say InstalledPendingReboot). If the service rejects the filter, the list
 * is read unfiltered and filtered here with the normalised state instead.
 */
export async function describeInstancePatches(client: SSMClient, instanceId: string): Promise<PatchComplianceData[]> {
  try {
    return await pagePatches(client, instanceId, [{ Key: 'State', Values: INTERESTING_PATCH_STATES }]);
  } catch (error) {
    if (!isFilterRejected(error)) throw error;
    const all = await pagePatches(client, instanceId, undefined);
    const wanted = new Set(INTERESTING_PATCH_STATES);
    return all.filter((patch) => wanted.has(normalizePatchState(patch.State)));
  }
}

async function pagePatches(
  client: SSMClient,
  instanceId: string,
  filters: { Key: string; Values: string[] }[] | undefined,
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
  } while (nextToken && pages < MAX_DETAIL_PAGES);
  return patches;
}
