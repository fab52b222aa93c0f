/**
 * Server-side SVG charts for the HTML report: no script, no external reference, every number of the
 * input written into the SVG (as a visible label or as the `<title>` of its mark), so the picture can
 * be read by a screen reader, printed and checked by a test. Pure string building.
 */
import { bands, linearScale, niceMax, round, ticks } from './chart-geometry';
import { escapeHtml as esc } from './escape';

const WIDTH = 640;
const FONT = 12;

export interface BarDatum {
  label: string;
  value: number;
  /** Shown after the value (e.g. "12 nodes healed"). */
  note?: string;
}

function svgOpen(id: string, title: string, height: number): string {
  return `<svg id="${esc(id)}" class="chart" role="img" aria-labelledby="${esc(id)}-title" viewBox="0 0 ${WIDTH} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title id="${esc(id)}-title">${esc(title)}</title>`;
}

function empty(id: string, title: string, message: string): string {
  return `${svgOpen(id, title, 48)}<text x="8" y="28" class="muted">${esc(message)}</text></svg>`;
}

/** Horizontal bars, one per datum, the value written at the end of each bar. */
export function horizontalBarChart(options: { id: string; title: string; data: readonly BarDatum[]; unit?: string; unitOne?: string; color?: string; emptyMessage?: string }): string {
  const { id, title, data } = options;
  if (data.length === 0) return empty(id, title, options.emptyMessage ?? 'Nothing to show.');
  const rowHeight = 26;
  const labelWidth = 250;
  const height = data.length * rowHeight + 8;
  const max = niceMax(Math.max(...data.map((datum) => datum.value)));
  const x = linearScale([0, max], [labelWidth, WIDTH - 150]);
  const unitOf = (value: number) => {
    const word = value === 1 && options.unitOne ? options.unitOne : options.unit;
    return word ? ` ${word}` : '';
  };
  const rows = data.map((datum, index) => {
    const y = 4 + index * rowHeight;
    const width = round(x(datum.value) - labelWidth);
    const text = `${datum.value}${unitOf(datum.value)}${datum.note ? ` (${datum.note})` : ''}`;
    return (
      `<g class="bar"><text x="${labelWidth - 6}" y="${y + 17}" text-anchor="end">${esc(datum.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 4}" width="${Math.max(width, datum.value > 0 ? 1 : 0)}" height="${rowHeight - 8}" fill="${options.color ?? '#2f6db5'}"><title>${esc(datum.label)}: ${esc(text)}</title></rect>` +
      `<text x="${labelWidth + Math.max(width, 0) + 6}" y="${y + 17}" class="value">${esc(text)}</text></g>`
    );
  });
  return `${svgOpen(id, title, height)}${rows.join('')}</svg>`;
}

export interface TrendPoint {
  /** YYYY-MM-DD. */
  label: string;
  value: number;
}

/** A line over days (0..100 %), a dot per day whose `<title>` holds the day's value, the last value labelled. */
export function percentTrendChart(options: { id: string; title: string; points: readonly TrendPoint[] }): string {
  const { id, title, points } = options;
  if (points.length === 0) return empty(id, title, 'No history yet.');
  const height = 220;
  const left = 44;
  const right = WIDTH - 60;
  const top = 12;
  const bottom = height - 28;
  const y = linearScale([0, 100], [bottom, top]);
  const step = points.length > 1 ? (right - left) / (points.length - 1) : 0;
  const xAt = (index: number) => round(points.length > 1 ? left + index * step : (left + right) / 2);
  const grid = ticks(100, 4)
    .map((tick) => `<line x1="${left}" x2="${right}" y1="${y(tick)}" y2="${y(tick)}" class="grid"/><text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end" class="axis">${tick}%</text>`)
    .join('');
  const path = points.map((point, index) => `${index === 0 ? 'M' : 'L'}${xAt(index)},${y(point.value)}`).join(' ');
  const dots = points
    .map((point, index) => `<circle cx="${xAt(index)}" cy="${y(point.value)}" r="3.5" fill="#2f6db5"><title>${esc(point.label)}: ${point.value}%</title></circle>`)
    .join('');
  const last = points[points.length - 1]!;
  const first = points[0]!;
  const labels =
    `<text x="${left}" y="${height - 8}" class="axis">${esc(first.label)}</text>` +
    (points.length > 1 ? `<text x="${right}" y="${height - 8}" text-anchor="end" class="axis">${esc(last.label)}</text>` : '') +
    `<text x="${xAt(points.length - 1) + 8}" y="${y(last.value) + 4}" class="value">${last.value}%</text>`;
  return `${svgOpen(id, title, height)}${grid}<path d="${path}" fill="none" stroke="#2f6db5" stroke-width="2"/>${dots}${labels}</svg>`;
}

export interface StackedColumn {
  label: string;
  values: readonly number[];
}

/** Vertical stacked columns (one per day), a legend of the series, each segment's value in its `<title>`. */
export function stackedColumnChart(options: {
  id: string;
  title: string;
  series: ReadonlyArray<{ name: string; color: string }>;
  columns: readonly StackedColumn[];
}): string {
  const { id, title, series, columns } = options;
  if (columns.length === 0) return empty(id, title, 'No history yet.');
  const height = 240;
  const left = 44;
  const right = WIDTH - 10;
  const top = 30;
  const bottom = height - 28;
  const max = niceMax(Math.max(...columns.map((column) => column.values.reduce((sum, value) => sum + value, 0))));
  const y = linearScale([0, max], [bottom, top]);
  const legend = series
    .map((entry, index) => `<rect x="${left + index * 118}" y="6" width="10" height="10" fill="${entry.color}"/><text x="${left + index * 118 + 14}" y="${6 + FONT - 2}" class="axis">${esc(entry.name)}</text>`)
    .join('');
  const grid = ticks(max, 4)
    .map((tick) => `<line x1="${left}" x2="${right}" y1="${y(tick)}" y2="${y(tick)}" class="grid"/><text x="${left - 6}" y="${y(tick) + 4}" text-anchor="end" class="axis">${tick}</text>`)
    .join('');
  const slots = bands(columns.length, left, right, 0.25);
  const bars = columns
    .map((column, index) => {
      const slot = slots[index]!;
      let base = 0;
      const segments = column.values.map((value, seriesIndex) => {
        const y0 = y(base);
        base += value;
        const y1 = y(base);
        const name = series[seriesIndex]?.name ?? `series ${seriesIndex + 1}`;
        return value > 0
          ? `<rect x="${slot.x}" y="${y1}" width="${slot.width}" height="${round(y0 - y1)}" fill="${series[seriesIndex]?.color ?? '#888'}"><title>${esc(column.label)} ${esc(name)}: ${value}</title></rect>`
          : '';
      });
      const total = column.values.reduce((sum, value) => sum + value, 0);
      const totalLabel = columns.length <= 10 ? `<text x="${round(slot.x + slot.width / 2)}" y="${y(total) - 3}" text-anchor="middle" class="axis">${total}</text>` : '';
      return `<g class="column"><title>${esc(column.label)}: ${column.values.map((value, seriesIndex) => `${series[seriesIndex]?.name ?? ''} ${value}`).join(', ')}</title>${segments.join('')}${totalLabel}</g>`;
    })
    .join('');
  const first = columns[0]!;
  const last = columns[columns.length - 1]!;
  const axis =
    `<text x="${left}" y="${height - 8}" class="axis">${esc(first.label)}</text>` +
    (columns.length > 1 ? `<text x="${right}" y="${height - 8}" text-anchor="end" class="axis">${esc(last.label)}</text>` : '');
  return `${svgOpen(id, title, height)}${legend}${grid}${bars}${axis}</svg>`;
}
