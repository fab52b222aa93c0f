/**
 * Everything one report run produces, from what was read: the entries, the all-node CSV, one
 * single-node CSV per non-compliant node, the daily summary, the next tracking state and the HTML.
 * Pure: the use case (usecases/report.ts) and the CLI (bin/report.ts) do the reading and writing.
 */
import type { NodeSnapshot } from '../types';
import type { AutomationFacts } from './automation';
import { ALL_NODE_HEADER, SINGLE_NODE_HEADER } from './columns';
import { toCsv } from './csv';
import { renderReportHtml } from './html';
import { allNodeRow, buildNodeEntry, isNonCompliant, singleNodeRows, type NodeReportEntry, type ReportContext } from './rows';
import { summarizeFleet, type FleetSummary, type TrackingState } from './summary';

export interface FleetReportInput {
  snapshots: readonly NodeSnapshot[];
  ledger: ReadonlyMap<string, AutomationFacts>;
  previousTracking: TrackingState | null;
  /** Earlier daily summaries (for the trend charts). */
  history: readonly FleetSummary[];
  unknown: readonly string[];
  failed: readonly string[];
  context: ReportContext;
  /** Single-node CSVs for these nodes only (CLI `--instance`); default: every non-compliant node. */
  nodeReportsFor?: readonly string[];
  /** How the HTML footer names the all-node CSV. */
  allNodesName?: string;
}

export interface FleetReport {
  entries: NodeReportEntry[];
  allNodesCsv: string;
  /** instanceId -> single-node CSV. */
  nodeCsvs: Map<string, string>;
  summary: FleetSummary;
  tracking: TrackingState;
  html: string;
}

export function buildFleetReport(input: FleetReportInput): FleetReport {
  const { context } = input;
  const entries = [...input.snapshots]
    .sort((a, b) => a.instanceId.localeCompare(b.instanceId))
    .map((snapshot) => {
      const ledger = input.ledger.get(snapshot.instanceId);
      const since = input.previousTracking?.nodes[snapshot.instanceId]?.since;
      return buildNodeEntry({ snapshot, ...(ledger ? { ledger } : {}), ...(since ? { nonCompliantSince: since } : {}) }, context);
    });
  const allNodesCsv = toCsv(ALL_NODE_HEADER, entries.map((entry, index) => allNodeRow(entry, index + 1, context)));
  const wanted = input.nodeReportsFor ? new Set(input.nodeReportsFor) : null;
  const nodeCsvs = new Map<string, string>();
  for (const entry of entries) {
    if (wanted ? wanted.has(entry.snapshot.instanceId) : isNonCompliant(entry)) {
      nodeCsvs.set(entry.snapshot.instanceId, toCsv(SINGLE_NODE_HEADER, singleNodeRows(entry, context)));
    }
  }
  const { summary, tracking } = summarizeFleet({
    entries,
    ledger: input.ledger,
    previous: input.previousTracking,
    unknown: input.unknown,
    failed: input.failed,
    account: context.account,
    region: context.region,
    generatedAt: context.generatedAt,
  });
  const html = renderReportHtml({
    summary,
    history: input.history,
    entries,
    files: { allNodes: input.allNodesName ?? 'all-nodes.csv', nodeReports: nodeCsvs.size },
  });
  return { entries, allNodesCsv, nodeCsvs, summary, tracking, html };
}
