/**
 * The visual report: one self-contained HTML file. No script, no network: the charts are inline SVG
 * built here, the style is one inline `<style>`, and a Content-Security-Policy meta tag
 * (`default-src 'none'; style-src 'unsafe-inline'`) makes any injected reference inert anyway.
 * Readable on a phone (fluid SVG, the table scrolls sideways) and printable (print CSS). Every
 * user-controlled string (node names, tags, IDs) is HTML-escaped. Pure.
 */
import { CAUSE_CODES, type CauseCode } from '../types';
import { escapeHtml as esc } from './escape';
import { COMPLIANCE_SEVERITIES, isNonCompliant, type ComplianceSeverity, type NodeReportEntry } from './rows';
import { AGE_BUCKET_DAYS, compliancePercent, type FleetSummary } from './summary';
import { horizontalBarChart, percentTrendChart, stackedColumnChart } from './svg-charts';

export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'";
export const WORST_NODES = 20;
export const TREND_DAYS = 30;

/** Chart IDs, stable for tests and for anyone styling a copy. */
export const CHART_IDS = {
  trend: 'chart-compliance-trend',
  causes: 'chart-nodes-by-cause',
  age: 'chart-noncompliance-age',
  outcomes: 'chart-remediation-outcomes',
  heal: 'chart-time-to-heal',
} as const;

export interface HtmlReportInput {
  summary: FleetSummary;
  /** Daily summaries of earlier days (any order; today's is `summary`). */
  history: readonly FleetSummary[];
  entries: readonly NodeReportEntry[];
  /** Where the CSVs of this run were written (S3 keys or file names), listed at the bottom. */
  files?: { allNodes: string; nodeReports: number };
}

const SEVERITY_RANK = new Map<string, number>(COMPLIANCE_SEVERITIES.map((severity, index) => [severity, index]));

/** Most severe cause first, then the oldest non-compliance, then most non-compliant patches. */
export function worstNodes(entries: readonly NodeReportEntry[], limit = WORST_NODES): NodeReportEntry[] {
  const severityOf = (entry: NodeReportEntry) =>
    Math.min(...entry.diagnosis.causes.map((cause) => SEVERITY_RANK.get(cause.severity) ?? 9), SEVERITY_RANK.get(entry.severity ?? '') ?? 9);
  const patches = (entry: NodeReportEntry) => Object.values(entry.severityCounts ?? {}).reduce((sum, value) => sum + value, 0);
  return entries
    .filter(isNonCompliant)
    .sort(
      (a, b) =>
        severityOf(a) - severityOf(b) ||
        (a.nonCompliantSince ?? '9').localeCompare(b.nonCompliantSince ?? '9') ||
        patches(b) - patches(a) ||
        a.snapshot.instanceId.localeCompare(b.snapshot.instanceId),
    )
    .slice(0, limit);
}

/** Today plus the earlier days, one per date (the newest summary of a date wins), oldest first, last `days`. */
export function trendDays(summary: FleetSummary, history: readonly FleetSummary[], days = TREND_DAYS): FleetSummary[] {
  const byDate = new Map<string, FleetSummary>();
  for (const day of [...history, summary]) {
    const known = byDate.get(day.date);
    if (!known || known.generatedAt <= day.generatedAt) byDate.set(day.date, day);
  }
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date)).slice(-days);
}

const STYLE = `
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:1.35rem;margin:0 0 4px}h2{font-size:1.05rem;margin:0 0 8px}
.meta{color:#5b6475;margin:0 0 16px}
.figures{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:16px}
.figure{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:8px 12px;min-width:110px;flex:1 1 110px}
.figure b{display:block;font-size:1.5rem}
.figure span{color:#5b6475;font-size:.8rem}
.sev-CRITICAL b{color:#a3161b}.sev-HIGH b{color:#c4510e}.sev-MEDIUM b{color:#9a7300}
section{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:12px;margin-bottom:16px}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px;margin-bottom:16px}
.grid2 section{margin-bottom:0}
svg.chart{display:block;max-width:min(100%,760px);height:auto;font-size:12px}
svg .grid{stroke:#e3e6ec}svg .axis{fill:#5b6475}svg .value{fill:#1d2330;font-weight:600}svg .muted{fill:#5b6475}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e3e6ec;vertical-align:top}
th{background:#eef0f4}
td code{font-size:.8rem}
footer{color:#5b6475;font-size:.8rem}
@media (max-width:600px){main{padding:8px}.figure b{font-size:1.2rem}}
@media print{body{background:#fff}main{max-width:none;padding:0}section,.figure{border-color:#bbb;break-inside:avoid}.grid2{display:block}.grid2 section{margin-bottom:12px}a{color:inherit;text-decoration:none}}
`;

function figure(label: string, value: string, className = ''): string {
  return `<div class="figure ${className}"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
}

const OUTCOME_SERIES = [
  { key: 'sent', name: 'sent', color: '#2f6db5' },
  { key: 'succeeded', name: 'succeeded', color: '#2e8b57' },
  { key: 'failed', name: 'failed', color: '#c0392b' },
  { key: 'deferred', name: 'deferred', color: '#d4a017' },
  { key: 'exhausted', name: 'exhausted', color: '#6c3483' },
] as const;

export function renderReportHtml(input: HtmlReportInput): string {
  const { summary } = input;
  const days = trendDays(summary, input.history);
  const percent = compliancePercent(summary);
  const nonCompliant = summary.byStatus.NON_COMPLIANT;
  const title = `Patch compliance report: ${summary.account} ${summary.region}`;

  const figures = [
    figure('compliant (Patch Manager)', `${percent}%`),
    figure('managed nodes', String(summary.nodes)),
    figure('non-compliant', String(nonCompliant)),
    ...COMPLIANCE_SEVERITIES.map((severity: ComplianceSeverity) => figure(`non-compliant ${severity.toLowerCase()}`, String(summary.bySeverity[severity]), `sev-${severity}`)),
    figure('nodes with a cause', String(summary.nodes - summary.healthy)),
    figure('unreported', String(summary.byStatus.UNREPORTED)),
    ...(summary.unreadable > 0 ? [figure('could not be read', String(summary.unreadable))] : []),
  ].join('');

  const trend = percentTrendChart({
    id: CHART_IDS.trend,
    title: `Compliant nodes, % per day (last ${TREND_DAYS} days)`,
    points: days.map((day) => ({ label: day.date, value: compliancePercent(day) })),
  });
  const causes = horizontalBarChart({
    id: CHART_IDS.causes,
    title: 'Nodes by cause',
    data: CAUSE_CODES.filter((code) => (summary.byCause[code] ?? 0) > 0)
      .map((code) => ({ label: code, value: summary.byCause[code] ?? 0 }))
      .sort((a, b) => b.value - a.value),
    unit: 'nodes',
    unitOne: 'node',
    emptyMessage: 'No node has a cause: all healthy.',
  });
  const age = horizontalBarChart({
    id: CHART_IDS.age,
    title: 'Non-compliant for more than N days',
    data: AGE_BUCKET_DAYS.map((days) => ({ label: `> ${days} day${days === 1 ? '' : 's'}`, value: summary.ageOver[String(days)] ?? 0 })),
    unit: 'nodes',
    unitOne: 'node',
    color: '#c4510e',
  });
  const outcomes = stackedColumnChart({
    id: CHART_IDS.outcomes,
    title: 'Remediation outcomes per day',
    series: OUTCOME_SERIES.map(({ name, color }) => ({ name, color })),
    columns: days.map((day) => ({ label: day.date, values: OUTCOME_SERIES.map(({ key }) => day.remediations[key]) })),
  });
  const healTotals = new Map<CauseCode, { healed: number; hours: number }>();
  for (const day of days) {
    for (const [code, stats] of Object.entries(day.timeToHeal) as Array<[CauseCode, { healed: number; totalHours: number }]>) {
      const total = healTotals.get(code) ?? { healed: 0, hours: 0 };
      healTotals.set(code, { healed: total.healed + stats.healed, hours: total.hours + stats.totalHours });
    }
  }
  const heal = horizontalBarChart({
    id: CHART_IDS.heal,
    title: `Time to heal per cause, mean hours (last ${TREND_DAYS} days)`,
    data: [...healTotals.entries()]
      .map(([code, total]) => ({ label: code, value: Math.round((total.hours / total.healed) * 10) / 10, note: `${total.healed} healed` }))
      .sort((a, b) => b.value - a.value),
    unit: 'h',
    color: '#2e8b57',
    emptyMessage: 'No node healed in this period (yet).',
  });

  const worst = worstNodes(input.entries);
  const rows = worst
    .map(
      (entry) =>
        `<tr><td><code>${esc(entry.snapshot.instanceId)}</code></td><td>${esc(entry.name)}</td><td>${esc(entry.severity ?? '')}</td><td>${esc(entry.causes.join(', '))}</td><td>${esc(entry.decision.action)}</td><td>${esc(entry.automation.label)}</td><td>${esc(entry.nonCompliantSince?.slice(0, 10) ?? '')}</td></tr>`,
    )
    .join('');
  const worstTable =
    worst.length === 0
      ? '<p>No non-compliant node.</p>'
      : `<div class="table-wrap"><table><thead><tr><th>Instance ID</th><th>Name</th><th>Severity</th><th>Causes</th><th>Action</th><th>Automation</th><th>Since</th></tr></thead><tbody>${rows}</tbody></table></div>`;

  const files = input.files
    ? `<p>All-node CSV: <code>${esc(input.files.allNodes)}</code>; ${input.files.nodeReports} single-node CSV(s) beside it.</p>`
    : '';

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(REPORT_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
<p class="meta">Generated ${esc(summary.generatedAt)} by ssm-compliance-autopilot. ${esc(summary.nodes)} managed nodes.</p>
<div class="figures">${figures}</div>
<section><h2>Compliance over time</h2>${trend}</section>
<div class="grid2">
<section><h2>Nodes by cause</h2>${causes}</section>
<section><h2>Age of non-compliance</h2>${age}</section>
</div>
<section><h2>${WORST_NODES} worst nodes</h2>${worstTable}</section>
<div class="grid2">
<section><h2>Remediation outcomes per day</h2>${outcomes}</section>
<section><h2>Time to heal per cause</h2>${heal}</section>
</div>
<footer>${files}<p>Compliant = Patch Manager's patch compliance (Compliance status column). Causes are the autopilot's diagnosis (docs/REPORTS.md).</p></footer>
</main>
</body>
</html>
`;
}
