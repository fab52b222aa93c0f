/**
 * The fleet as a set of saved snapshots (the `npm run report -- --snapshots DIR` CLI; files like
 * examples/*.json, already parsed with domain/snapshot-schema.ts by the caller, which names the file of
 * any error). Implements the same ports as the SSM lister and reader, so the report use case runs
 * unchanged. A saved snapshot is complete: every node gets its snapshot whatever `needsDetail` says.
 */
import type { NodeSnapshot } from '../domain/types';
import type { ManagedNodeLister, NodeStateReader, NodeSummary, ReadOptions, SnapshotReadResult } from '../ports/reading';

export class SavedSnapshotFleet implements ManagedNodeLister, NodeStateReader {
  private readonly byId: Map<string, NodeSnapshot>;

  constructor(snapshots: readonly NodeSnapshot[]) {
    this.byId = new Map(snapshots.map((snapshot) => [snapshot.instanceId, snapshot]));
  }

  async listManagedNodeIds(): Promise<string[]> {
    return [...this.byId.keys()].sort();
  }

  async readSnapshots(instanceIds: string[], _options?: ReadOptions): Promise<SnapshotReadResult & { skipped: NodeSummary[] }> {
    const ids = [...new Set(instanceIds)];
    return {
      snapshots: ids.flatMap((id) => {
        const snapshot = this.byId.get(id);
        return snapshot ? [snapshot] : [];
      }),
      unknown: ids.filter((id) => !this.byId.has(id)),
      failed: [],
      skipped: [],
    };
  }
}
