/**
 * How SSM read errors are classified and degraded: which errors mean "unknown node", which ones a
 * retry cannot fix, which ones mean "this filter / operator was refused" (then the caller degrades to
 * a documented form of the call), and the per-node fallback when one bad ID fails a batched call.
 */
import type { NodeReadFailure } from '../../ports/reading';
import type { OperationalSink } from '../../ports/runtime';

/**
 * Each documented form a filtered read can degrade to. The first form of every call relies on a
 * behaviour AWS-FACTS.md lists as unverified; the degraded form relies only on what the API
 * reference documents (one node per call, or no filter plus filtering here).
 */
export const READ_FALLBACKS = {
  /** ListResourceComplianceSummaries: one InstanceId value per call (AWS's own examples pass one). */
  'summaries.one-node-per-call': 'ListResourceComplianceSummaries with one InstanceId value per call',
  /** ListResourceComplianceSummaries: no InstanceId filter, the account's NON_COMPLIANT list filtered here (once per read). */
  'summaries.no-instance-filter': 'ListResourceComplianceSummaries without the InstanceId filter, filtered by ResourceId here',
  /** ListComplianceItems: no Filters (ResourceIds + ResourceTypes only), Status / ComplianceType filtered here. */
  'items.no-filter': 'ListComplianceItems without Filters (no NOT_EQUAL operator), filtered here',
  /** DescribeInstancePatches: no State filter, the states filtered here with both spellings normalised. */
  'patches.no-state-filter': 'DescribeInstancePatches without the State filter, filtered here',
  /** DescribeInstanceInformation `tag:<key>` filter refused or ignored: scope tags unknown from SSM alone. */
  'tags.no-ssm-tag-filter': 'DescribeInstanceInformation tag filter unusable: scope tags read through the tagging API only',
} as const;

export type ReadFallbackId = keyof typeof READ_FALLBACKS;

/**
 * The degradations this container found necessary. Remembered for the container's lifetime (a
 * refused filter stays refused), each logged and counted once, when it is first needed.
 */
export class ReadFallbacks {
  private readonly active = new Map<ReadFallbackId, string>();

  constructor(private readonly sink?: Pick<OperationalSink, 'warn' | 'count'>) {}

  has(id: ReadFallbackId): boolean {
    return this.active.has(id);
  }

  degrade(id: ReadFallbackId, evidence: string): void {
    if (this.active.has(id)) return;
    this.active.set(id, evidence);
    this.sink?.warn(`SSM read degraded to a documented form: ${READ_FALLBACKS[id]}`, { fallback: id, evidence });
    this.sink?.count('SsmReadFallbacks');
  }

  list(): Array<{ id: ReadFallbackId; form: string; evidence: string }> {
    return [...this.active].map(([id, evidence]) => ({ id, form: READ_FALLBACKS[id], evidence }));
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function refusalEvidence(call: string, error: unknown): string {
  return `${call} refused: ${errorText(error)}`;
}

/**
 * Errors SSM answers when it refuses a filter key, value or operator. The service model (botocore
 * ssm/2014-11-06, and the SDK's `@throws` lists) names InvalidFilter for ListResourceComplianceSummaries,
 * ListComplianceItems and DescribeInstancePatches, InvalidFilterKey / InvalidInstanceInformationFilterValue
 * for DescribeInstanceInformation; InvalidFilterValue exists in the model too; ValidationException is
 * the protocol-level answer to an input that breaks a constraint (an enum value, a list length).
 */
export const FILTER_REJECTED_ERRORS = new Set(['InvalidFilter', 'InvalidFilterValue', 'InvalidFilterKey', 'ValidationException']);

export function isFilterRejected(error: unknown): boolean {
  return error instanceof Error && FILTER_REJECTED_ERRORS.has(error.name);
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

export function failure(instanceId: string, stage: string, error: unknown): NodeReadFailure {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return { instanceId, error: `${stage}: ${name}: ${message}`, retryable: isRetryable(error) };
}

/**
 * DescribeInstanceInformation fails the whole call when one ID is invalid or not ours ("If you
 * specify a node ID that isn't valid or a node that you don't own, you receive an error", API
 * reference). Then the chunk is halved until the bad IDs stand alone, so one bad ID does not take 49
 * good ones down with it: ~2 log2(n) calls for one bad ID in n, instead of n one-node calls (the
 * answer does not reliably name the bad ID, so it is not parsed).
 */
export async function withPerNodeFallback<T>(chunk: string[], read: (ids: string[]) => Promise<T[]>): Promise<T[]> {
  try {
    return await read(chunk);
  } catch (error) {
    if (!isUnknownNodeError(error)) throw error;
    if (chunk.length === 1) return [];
    const middle = Math.ceil(chunk.length / 2);
    const halves = [chunk.slice(0, middle), chunk.slice(middle)];
    const results: T[] = [];
    for (const half of halves) results.push(...(await withPerNodeFallback(half, read)));
    return results;
  }
}
