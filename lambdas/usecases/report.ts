/**
 * The compliance report: list the managed nodes, read them through the node state reader (summaries
 * 50 per call; detail calls only for nodes whose summary is not clean), join the ledger, build the
 * CSVs, the daily summary and the HTML (pure, domain/report), write them, and send one REPORT message.
 * Used by the scheduled report function (S3 layout) and by `npm run report` (flat folder layout).
 */
import type { AutomationFacts } from '../domain/report/automation';
import { buildFleetReport, type FleetReport } from '../domain/report/fleet-report';
import { dailySummaryKey, nodeReportFileName, nodeReportKey, previousDates, reportKeys, trackingKey } from '../domain/report/keys';
import { composeReportNotice } from '../domain/report/notice';
import type { AutopilotSettings } from '../domain/settings';
import type { NodeSnapshot } from '../domain/types';
import type { RemediationLedger } from '../ports/ledger';
import type { ManagedNodeLister, NodeStateReader, NodeSummary } from '../ports/reading';
import type { ReportNotifier, ReportObject, ReportStore } from '../ports/reports';
import type { Clock, OperationalSink } from '../ports/runtime';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** Days of history the trend charts show (today included). */
export const HISTORY_DAYS = 30;
/** Objects written at once. */
const PUT_CONCURRENCY = 8;

/** Where each file of a run goes. */
export interface ReportLayout {
  allNodes: string;
  html: string;
  nodeReport(instanceId: string): string;
  /** Stable copies (S3 `latest/`). */
  latest?: { allNodes: string; html: string };
  /** Folder of the node reports, for the notification. */
  nodeFolder: string;
  /** History (S3): where the day's summary and the tracking state are kept. Without it, no history. */
  history?: { dailySummary: (date: string) => string; tracking: string };
}

/** The S3 layout (domain/report/keys.ts). */
export function s3Layout(account: string, region: string, at: Date): ReportLayout {
  const keys = reportKeys(account, region, at);
  return {
    allNodes: keys.allNodes,
    html: keys.html,
    nodeReport: (id) => nodeReportKey(keys, id),
    latest: { allNodes: keys.latestAllNodes, html: keys.latestHtml },
    nodeFolder: keys.nodeFolder,
    history: { dailySummary: (date) => dailySummaryKey(account, region, date), tracking: trackingKey(account, region) },
  };
}

/** The CLI's layout: `all-nodes.csv`, `node-<id>.csv`, `report.html` in one folder. */
export const FLAT_LAYOUT: ReportLayout = {
  allNodes: 'all-nodes.csv',
  html: 'report.html',
  nodeReport: nodeReportFileName,
  nodeFolder: '',
};

export interface ReportDependencies {
  nodes: ManagedNodeLister;
  reader: NodeStateReader;
  /** Absent for the offline CLI (no automation columns then). */
  ledger?: Pick<RemediationLedger, 'readNodes'>;
  store: ReportStore;
  /** Absent: no REPORT message (the CLI). */
  notifier?: ReportNotifier;
  /**
   * Which summaries need the per-node detail calls (the wiring passes "summary not clean"). Nodes it
   * skips are reported from their summary alone. Default: every node.
   */
  needsDetail?: (summary: NodeSummary, now: Date) => boolean;
  settings: AutopilotSettings;
  clock: Clock;
  sink: OperationalSink;
  account: string;
  region: string;
  /** Bucket named in the notification. */
  bucket?: string;
}

export interface ReportRunOptions {
  layout?: ReportLayout;
  /** Only these nodes get a single-node CSV (default: every non-compliant node). */
  nodeReportsFor?: readonly string[];
  /** Read only these nodes instead of listing the fleet (CLI `--instance`). */
  instanceIds?: readonly string[];
  /** Write the single-node CSVs only (CLI `--instance`): no all-node CSV, page, latest copies or history. */
  nodeReportsOnly?: boolean;
}

export interface ReportRunResult {
  generatedAt: string;
  nodes: number;
  nonCompliant: number;
  unknown: string[];
  failed: string[];
  written: string[];
  report: FleetReport;
  notified: boolean;
}

/** A summary the reader did not detail: the snapshot it proves (nothing non-installed, nothing non-compliant). */
export function snapshotFromSummary(summary: NodeSummary, capturedAt: string, region: string): NodeSnapshot {
  return {
    instanceId: summary.instanceId,
    capturedAt,
    region,
    instanceInformation: summary.instanceInformation,
    patchState: summary.patchState,
    complianceSummaries: summary.nonCompliantSummaries,
    patches: [],
    complianceItems: [],
    tags: { ...summary.tags },
  };
}

export class ReportUseCase {
  constructor(private readonly deps: ReportDependencies) {}

  async run(options: ReportRunOptions = {}): Promise<ReportRunResult> {
    const { deps } = this;
    const { sink } = deps;
    const now = deps.clock.now();
    const generatedAt = now.toISOString();
    const layout = options.layout ?? s3Layout(deps.account, deps.region, now);

    const ids = options.instanceIds ? [...options.instanceIds] : await deps.nodes.listManagedNodeIds();
    sink.info('report: nodes listed', { nodes: ids.length });
    const read = await deps.reader.readSnapshots(ids, {
      needsDetail: (summary) => (deps.needsDetail ? deps.needsDetail(summary, now) : true),
    });
    const snapshots = [...read.snapshots, ...read.skipped.map((summary) => snapshotFromSummary(summary, generatedAt, deps.region))];
    for (const failure of read.failed) sink.warn('report: node could not be read', { instanceId: failure.instanceId, error: failure.error });
    if (read.failed.length > 0) sink.count('ReportNodesUnreadable', read.failed.length);
    if (read.unknown.length > 0) sink.count('ReportNodesUnknown', read.unknown.length);

    const ledger: Map<string, AutomationFacts> = deps.ledger ? await deps.ledger.readNodes(snapshots.map((snapshot) => snapshot.instanceId)) : new Map();
    const history = options.nodeReportsOnly ? undefined : layout.history;
    const previousTracking = history ? await deps.store.loadTracking(history.tracking) : null;
    const earlier = history ? await deps.store.loadSummaries(previousDates(now, HISTORY_DAYS - 1).map(history.dailySummary)) : [];

    const report = buildFleetReport({
      snapshots,
      ledger,
      previousTracking,
      history: earlier,
      unknown: read.unknown,
      failed: read.failed.map((failure) => failure.instanceId),
      context: { account: deps.account, region: deps.region, generatedAt, settings: deps.settings },
      allNodesName: layout.allNodes,
      ...(options.nodeReportsFor ? { nodeReportsFor: options.nodeReportsFor } : {}),
    });

    const nodeObjects = [...report.nodeCsvs].map(([id, body]) => ({ key: layout.nodeReport(id), body, contentType: CSV_CONTENT_TYPE }));
    const objects: ReportObject[] = options.nodeReportsOnly
      ? nodeObjects
      : [
          { key: layout.allNodes, body: report.allNodesCsv, contentType: CSV_CONTENT_TYPE },
          ...nodeObjects,
          { key: layout.html, body: report.html, contentType: HTML_CONTENT_TYPE },
        ];
    if (layout.latest && !options.nodeReportsOnly) {
      objects.push({ key: layout.latest.allNodes, body: report.allNodesCsv, contentType: CSV_CONTENT_TYPE });
      objects.push({ key: layout.latest.html, body: report.html, contentType: HTML_CONTENT_TYPE });
    }
    if (history) {
      objects.push({ key: history.dailySummary(report.summary.date), body: `${JSON.stringify(report.summary)}\n`, contentType: JSON_CONTENT_TYPE });
    }
    await forEachLimited(objects, PUT_CONCURRENCY, (object) => deps.store.put(object));
    // The tracking state last: a run that failed half-way leaves the previous one for the retry.
    if (history) await deps.store.put({ key: history.tracking, body: `${JSON.stringify(report.tracking)}\n`, contentType: JSON_CONTENT_TYPE });
    const written = objects.map((object) => object.key);
    sink.count('ReportObjectsWritten', written.length + (history ? 1 : 0));

    const nonCompliant = report.summary.byStatus.NON_COMPLIANT;
    sink.count('ReportNodes', report.summary.nodes);
    sink.count('ReportNodesNonCompliant', nonCompliant);
    let notified = false;
    if (deps.notifier) {
      const notice = composeReportNotice({
        summary: report.summary,
        bucket: deps.bucket ?? '',
        keys: {
          allNodes: layout.allNodes,
          html: layout.html,
          latestAllNodes: layout.latest?.allNodes ?? layout.allNodes,
          latestHtml: layout.latest?.html ?? layout.html,
          nodeFolder: layout.nodeFolder,
          dailySummary: history?.dailySummary(report.summary.date) ?? '',
        },
        nodeReports: report.nodeCsvs.size,
      });
      await deps.notifier.notifyReport(notice);
      notified = true;
    }
    sink.info('report written', { nodes: report.summary.nodes, nonCompliant, nodeReports: report.nodeCsvs.size, objects: written.length, allNodes: layout.allNodes });
    return { generatedAt, nodes: report.summary.nodes, nonCompliant, unknown: read.unknown, failed: read.failed.map((failure) => failure.instanceId), written, report, notified };
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      await work(item);
    }
  });
  await Promise.all(workers);
}
