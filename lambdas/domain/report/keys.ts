/**
 * S3 object keys of a report run. Hive-style partitions (`year=YYYY/month=MM/day=DD`) so Athena can
 * project them (docs/REPORTS.md, "Athena"); the file name carries account, region and time so two
 * stacks writing to one bucket never collide; `latest/` holds stable copies for bookmarks. Pure.
 */

export const REPORT_PREFIX = 'reports/';
export const LATEST_PREFIX = 'latest/';
export const HISTORY_PREFIX = 'history/';

export interface ReportKeys {
  allNodes: string;
  html: string;
  /** Folder of this run's single-node CSVs (`<folder>node-<instanceId>.csv`). */
  nodeFolder: string;
  latestAllNodes: string;
  latestHtml: string;
}

function partition(at: Date): string {
  const iso = at.toISOString();
  return `year=${iso.slice(0, 4)}/month=${iso.slice(5, 7)}/day=${iso.slice(8, 10)}`;
}

/** 2026-11-20T14:05:12.345Z -> 20261120T140512Z */
export function compactTime(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

export function reportKeys(account: string, region: string, at: Date): ReportKeys {
  const name = `${account}-${region}-${compactTime(at)}`;
  const day = partition(at);
  return {
    allNodes: `${REPORT_PREFIX}all-nodes/${day}/${name}.csv`,
    html: `${REPORT_PREFIX}html/${day}/${name}.html`,
    nodeFolder: `${REPORT_PREFIX}nodes/${day}/${name}/`,
    latestAllNodes: `${LATEST_PREFIX}all-nodes.csv`,
    latestHtml: `${LATEST_PREFIX}report.html`,
  };
}

export function nodeReportKey(keys: Pick<ReportKeys, 'nodeFolder'>, instanceId: string): string {
  return `${keys.nodeFolder}${nodeReportFileName(instanceId)}`;
}

export function nodeReportFileName(instanceId: string): string {
  return `node-${instanceId}.csv`;
}

/** One JSON object per day and stack: the newest run of the day replaces the earlier one. */
export function dailySummaryKey(account: string, region: string, date: string): string {
  return `${HISTORY_PREFIX}daily/year=${date.slice(0, 4)}/month=${date.slice(5, 7)}/day=${date.slice(8, 10)}/${account}-${region}.json`;
}

export function trackingKey(account: string, region: string): string {
  return `${HISTORY_PREFIX}tracking/${account}-${region}.json`;
}

/** The `days` dates (YYYY-MM-DD, UTC) before `at`'s date, oldest first. */
export function previousDates(at: Date, days: number): string[] {
  const start = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  return Array.from({ length: days }, (_, index) => new Date(start - (days - index) * 86_400_000).toISOString().slice(0, 10));
}
