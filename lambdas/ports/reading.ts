/**
 * Reading ports: what SSM says about managed nodes (their state, read in cheap batched summaries and
 * per-node detail calls, and the list of every managed node). Implemented by `lambdas/adapters/ssm/`
 * (and by `adapters/saved-snapshots.ts` over snapshot files). No SDK import here.
 */
import type { NodeSnapshot } from '../domain/types';

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
   * last evaluation); the node is then returned in `skipped`. True, or a DetailRequest, reads it.
   */
  needsDetail?: (summary: NodeSummary) => boolean | DetailRequest | Promise<boolean | DetailRequest>;
}

/** How much of a node to read in detail (domain/detail-plan.ts). */
export interface DetailRequest {
  /**
   * The patch command history (ListCommandInvocations). False when the ledger rules out a failed patch
   * command since its last read: the snapshot then lists it in `deferredDetail`. Default true.
   */
  commandHistory?: boolean;
  /**
   * Tags of a node whose summary is clean: only a message naming the node (a resolved notice, an
   * archived finding) needs them; the decision does not. False defers them. Default true.
   */
  tagsIfClean?: boolean;
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
  /**
   * Empty in the SSM reader's summaries: tags are read only for the nodes that get a detail read
   * (lambdas/adapters/ssm/node-tags.ts) and arrive on the snapshot (`NodeSnapshot.tags`, Name included).
   */
  tags: Record<string, string>;
  /** Stable hash of everything above that matters for a diagnosis. */
  fingerprint: string;
}

export interface NodeStateReader {
  readSnapshots(instanceIds: string[], options?: ReadOptions): Promise<SnapshotReadResult & { skipped: NodeSummary[] }>;
  /**
   * Reads what a snapshot's read deferred (`NodeSnapshot.deferredDetail`) and returns it complete.
   * A reader without it never defers (saved snapshots are complete).
   */
  completeSnapshot?(snapshot: NodeSnapshot): Promise<NodeSnapshot>;
}

/** Every managed node of the account and region (DescribeInstanceInformation, every page). */
export interface ManagedNodeLister {
  listManagedNodeIds(): Promise<string[]>;
}
