/**
 * Sweep ports (implemented by `adapters/dynamo-sweep-scanner.ts` over the ledger table; the triage
 * use case is the `NodeEvaluator`). No SDK import here.
 */
import type { NodeLedgerRecord } from './ledger';

/** The part of a node's ledger record the sweep looks at. */
export type SweepNodeState = Pick<NodeLedgerRecord, 'instanceId' | 'deferral' | 'lastCommandEndedAt' | 'lastEvaluatedAt' | 'lastCheckedAt' | 'openCauses'>;

/**
 * Pages through the nodes of the ledger that may need another look (a deferral, or a command that
 * ended). A scan: the table has pk/sk only, and a sweep every 15 min over one small item per node
 * costs little; each page reads at most `pageSize` items, and the cursor is kept between runs so a
 * large fleet is covered over several runs instead of starving the nodes at the end of the table.
 */
export interface SweepScanner {
  /** Nodes with a deferral, an ended command, or not read since `checkedBefore` (ISO). */
  scanPage(options: { cursor?: string; pageSize: number; checkedBefore: string }): Promise<{ nodes: SweepNodeState[]; cursor?: string }>;
  loadCursor(): Promise<string | undefined>;
  saveCursor(cursor: string | undefined): Promise<void>;
}

/** The triage use case, seen from the sweep. */
export interface NodeEvaluator {
  evaluateNodes(instanceIds: string[], context: { source: 'sweep' | 'reverify' }): Promise<unknown>;
}
