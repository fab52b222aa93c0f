/**
 * Ports: what the use cases need from the outside world. Adapters in `lambdas/adapters/`
 * implement them over the AWS SDK; tests and the simulator hand in their own implementations
 * or real adapters over mocked / locally served clients. No SDK import here.
 */
import type { NodeSnapshot } from './domain/types';

/** Why a node could not be read. `retryable` ones go back to the queue (batch item failure). */
export interface NodeReadFailure {
  instanceId: string;
  error: string;
  retryable: boolean;
}

export interface SnapshotReadResult {
  /** One snapshot per node that SSM knows (instanceInformation may still be null for a node with patch data only). */
  snapshots: NodeSnapshot[];
  /** Nodes SSM does not know at all (deregistered, wrong ID): logged and counted, not retried. */
  unknown: string[];
  /** Nodes whose read failed (throttling that outlived the SDK retries, access denied, ...). */
  failed: NodeReadFailure[];
}

export interface ReadOptions {
  /**
   * Called with each node's cheap summary (from the batched calls) before any per-node detail call.
   * Returning false skips the detail calls for that node (e.g. its summary did not change since the
   * last evaluation); the node is then returned in `skipped`.
   */
  needsDetail?: (summary: NodeSummary) => boolean | Promise<boolean>;
}

/** The batched, cheap part of a node's state: read 50 nodes per call. */
export interface NodeSummary {
  instanceId: string;
  instanceInformation: NodeSnapshot['instanceInformation'];
  patchState: NodeSnapshot['patchState'];
  /**
   * NON_COMPLIANT compliance types of the node (batched ListResourceComplianceSummaries, InstanceId
   * filter). Not ListComplianceItems: that API takes one ResourceId per call, so it is a detail call.
   */
  nonCompliantSummaries: NonNullable<NodeSnapshot['complianceSummaries']>;
  tags: Record<string, string>;
  /** Stable hash of everything above that matters for a diagnosis. */
  fingerprint: string;
}

export interface NodeStateReader {
  readSnapshots(instanceIds: string[], options?: ReadOptions): Promise<SnapshotReadResult & { skipped: NodeSummary[] }>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
