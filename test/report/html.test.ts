import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { buildFleetReport } from '../../lambdas/domain/report/fleet-report';
import { CHART_IDS, REPORT_CSP } from '../../lambdas/domain/report/html';
import type { FleetSummary } from '../../lambdas/domain/report/summary';
import { CONTEXT, exampleSnapshot, exampleSnapshots } from './fixtures';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

function elements(node: Node): Element[] {
  const found: Element[] = [];
  const visit = (current: Node) => {
    if ('tagName' in current) found.push(current);
    const children = 'childNodes' in current ? current.childNodes : [];
    for (const child of children) visit(child);
    if ('content' in current && current.content) visit(current.content as Node);
  };
  visit(node);
  return found;
}

function text(node: Node): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  return ('childNodes' in node ? node.childNodes : []).map(text).join(' ');
}

const attr = (element: Element, name: string) => element.attrs.find((attribute) => attribute.name === name)?.value;

function day(date: string, compliant: number, nodes: number, remediations: FleetSummary['remediations'], heal: FleetSummary['timeToHeal'] = {}): FleetSummary {
  return {
    schemaVersion: 1, date, generatedAt: `${date}T06:00:00.000Z`, account: CONTEXT.account, region: CONTEXT.region, nodes, unreadable: 0,
    byStatus: { COMPLIANT: compliant, NON_COMPLIANT: nodes - compliant, UNREPORTED: 0 },
    bySeverity: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNSPECIFIED: 0 },
    byCause: {}, healthy: compliant, remediations, timeToHeal: heal, ageOver: { '1': 0, '7': 0, '14': 0, '30': 0 },
  };
}

const HISTORY = [
  day('2026-11-18', 7, 10, { sent: 11, succeeded: 6, failed: 2, deferred: 3, exhausted: 1 }, { PENDING_REBOOT: { healed: 4, totalHours: 26, medianHours: 6, maxHours: 9 } }),
  day('2026-11-19', 9, 12, { sent: 5, succeeded: 4, failed: 1, deferred: 0, exhausted: 0 }, { MISSING_PATCHES: { healed: 3, totalHours: 39, medianHours: 12, maxHours: 20 } }),
];

const EVIL = '<script>alert(1)</script><img src="https://evil.example/x.png" onerror="alert(2)">';

function render() {
  const evil = { ...exampleSnapshot('missing-patches.json'), instanceId: 'i-0eeeeeeeeeeeeeee1', tags: { Name: EVIL, ComplianceAutopilot: 'auto' } };
  return buildFleetReport({ snapshots: [...exampleSnapshots(), evil], ledger: new Map(), previousTracking: null, history: HISTORY, unknown: [], failed: [], context: CONTEXT });
}

describe('HTML report', () => {
  const { html, summary } = render();
  const document = parse(html);
  const all = elements(document);

  it('parses as HTML with a strict CSP and no script, no external reference', () => {
    expect(all.filter((element) => element.tagName === 'script')).toEqual([]);
    const csp = all.find((element) => element.tagName === 'meta' && attr(element, 'http-equiv') === 'Content-Security-Policy');
    expect(attr(csp!, 'content')).toBe(REPORT_CSP);
    expect(REPORT_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'");
    for (const element of all) {
      for (const attribute of element.attrs) {
        if (['src', 'href', 'xlink:href', 'action', 'srcset'].includes(attribute.name)) throw new Error(`external reference ${attribute.name}=${attribute.value}`);
        expect(attribute.name.startsWith('on')).toBe(false);
      }
    }
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*https?:/i);
    expect(html).not.toMatch(/url\(/i);
  });

  it('escapes a malicious node name (shown as text, not markup)', () => {
    expect(all.filter((element) => element.tagName === 'img')).toEqual([]);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=&quot;https://evil.example/x.png&quot;');
    const cells = all.filter((element) => element.tagName === 'td').map(text);
    expect(cells).toContain(EVIL);
  });

  it('has one SVG per chart, each carrying the numbers of its input', () => {
    const svg = (id: string) => {
      const found = all.find((element) => element.tagName === 'svg' && attr(element, 'id') === id);
      if (!found) throw new Error(`no svg #${id}`);
      return text(found);
    };
    expect(all.filter((element) => element.tagName === 'svg')).toHaveLength(Object.keys(CHART_IDS).length);

    const trend = svg(CHART_IDS.trend);
    expect(trend).toContain('2026-11-18: 70%');
    expect(trend).toContain('2026-11-19: 75%');
    expect(trend).toContain(`2026-11-20: ${Math.round((summary.byStatus.COMPLIANT / summary.nodes) * 1000) / 10}%`);

    const causes = svg(CHART_IDS.causes);
    expect(causes).toContain('MISSING_PATCHES: 2 nodes');
    expect(causes).toContain('PENDING_REBOOT: 1 node');

    const age = svg(CHART_IDS.age);
    expect(age).toContain('> 30 days: 0 nodes');

    const outcomes = svg(CHART_IDS.outcomes);
    expect(outcomes).toContain('2026-11-18: sent 11, succeeded 6, failed 2, deferred 3, exhausted 1');
    expect(outcomes).toContain('2026-11-19 sent: 5');

    const heal = svg(CHART_IDS.heal);
    // MISSING_PATCHES 39 h / 3 nodes = 13 h; PENDING_REBOOT 26 h / 4 = 6.5 h.
    expect(heal).toContain('MISSING_PATCHES: 13 h (3 healed)');
    expect(heal).toContain('PENDING_REBOOT: 6.5 h (4 healed)');
  });

  it('key figures and the worst nodes table (CRITICAL first, at most 20)', () => {
    const figures = all.filter((element) => attr(element, 'class')?.startsWith('figure')).map(text);
    expect(figures.map((figure) => figure.replace(/\s+/g, ' ').trim())).toEqual(
      expect.arrayContaining(['15 managed nodes', '1 non-compliant high', '6 non-compliant', '4 non-compliant critical']),
    );
    const rows = all.filter((element) => element.tagName === 'tr').slice(1);
    expect(rows.length).toBe(13);
    expect(text(rows[0]!)).toContain('CRITICAL');
  });
});
