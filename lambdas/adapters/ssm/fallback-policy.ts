/**
 * How SSM read errors are classified and degraded: which errors mean "unknown node", which ones a
 * retry cannot fix, which ones mean "this filter / operator was refused" (then the caller degrades to
 * a documented form of the call), and the per-node fallback when one bad ID fails a batched call.
 */
import type { NodeReadFailure } from '../../ports';

/** Errors SSM answers when it refuses a filter key, value or operator (botocore ssm service model). */
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
 * reference). Then each node is read alone, so one bad ID does not take 49 good ones down with it.
 */
export async function withPerNodeFallback<T>(chunk: string[], read: (ids: string[]) => Promise<T[]>): Promise<T[]> {
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
