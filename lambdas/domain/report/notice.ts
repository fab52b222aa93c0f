/**
 * The one `REPORT` message a scheduled run sends to the alert topic: counts and object keys. Same
 * MessageStructure=json shape as the alerts (docs/ALERTS.md): text for e-mail, a JSON document for
 * machines, and a `kind` message attribute subscribers can filter on. Pure.
 */
import { COMPLIANCE_SEVERITIES } from './rows';
import { compliancePercent, type FleetSummary } from './summary';

export interface ReportNoticeInput {
  summary: FleetSummary;
  bucket: string;
  keys: { allNodes: string; html: string; latestAllNodes: string; latestHtml: string; nodeFolder: string; dailySummary: string };
  nodeReports: number;
}

export interface ReportNotice {
  /** < 100 characters, one line (SNS Subject). */
  subject: string;
  text: string;
  document: Record<string, unknown>;
  attributes: { kind: 'REPORT'; account: string; region: string };
}

export function composeReportNotice(input: ReportNoticeInput): ReportNotice {
  const { summary, keys, bucket } = input;
  const percent = compliancePercent(summary);
  const nonCompliant = summary.byStatus.NON_COMPLIANT;
  const subject = `REPORT ${summary.date} ${percent}% compliant, ${nonCompliant} of ${summary.nodes} non-compliant`.slice(0, 99);
  const severities = COMPLIANCE_SEVERITIES.filter((severity) => summary.bySeverity[severity] > 0)
    .map((severity) => `${severity} ${summary.bySeverity[severity]}`)
    .join(', ');
  const causes = Object.entries(summary.byCause)
    .sort(([, a], [, b]) => (b ?? 0) - (a ?? 0))
    .map(([code, count]) => `  ${code}: ${count}`);
  const r = summary.remediations;
  const s3 = (key: string) => `s3://${bucket}/${key}`;
  const text = [
    `Patch compliance report for account ${summary.account}, region ${summary.region}, ${summary.generatedAt}`,
    '',
    `Nodes: ${summary.nodes}; compliant ${summary.byStatus.COMPLIANT} (${percent}%), non-compliant ${nonCompliant}${severities ? ` (${severities})` : ''}, unreported ${summary.byStatus.UNREPORTED}${summary.unreadable > 0 ? `, could not be read ${summary.unreadable}` : ''}.`,
    `Nodes with a cause: ${summary.nodes - summary.healthy}`,
    ...causes,
    `Remediations since the previous report: sent ${r.sent}, succeeded ${r.succeeded}, failed ${r.failed}, deferred ${r.deferred}, exhausted ${r.exhausted}.`,
    '',
    `All nodes (CSV): ${s3(keys.allNodes)}`,
    `Visual report (HTML): ${s3(keys.html)}`,
    `Single-node CSVs (${input.nodeReports}): ${s3(keys.nodeFolder)}`,
    `Latest copies: ${s3(keys.latestAllNodes)}, ${s3(keys.latestHtml)}`,
  ].join('\n');
  return {
    subject,
    text,
    document: {
      schemaVersion: 1,
      kind: 'REPORT',
      account: summary.account,
      region: summary.region,
      generatedAt: summary.generatedAt,
      compliantPercent: percent,
      summary,
      bucket,
      keys: { ...keys },
      nodeReports: input.nodeReports,
    },
    attributes: { kind: 'REPORT', account: summary.account, region: summary.region },
  };
}
