/**
 * Evidence for people and for the size limit. `renderEvidence` turns a cause's evidence object into
 * indented, readable lines; `limitEvidence` shrinks it (long lists, long strings) to a character
 * budget, saying what was left out, so an alert never breaks the SNS 256 KB message limit.
 */

const INDENT = '  ';

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A flat object of scalars fits on one line: `title: X, kbId: Y`. */
function inlineObject(value: Record<string, unknown>): string | null {
  const entries = Object.entries(value);
  if (entries.some(([, entry]) => entry !== null && typeof entry === 'object' && !(Array.isArray(entry) && entry.every((item) => typeof item !== 'object')))) {
    return null;
  }
  return entries
    .filter(([, entry]) => entry !== null && entry !== undefined)
    .map(([key, entry]) => `${key}: ${Array.isArray(entry) ? entry.map(scalar).join(' ') : scalar(entry)}`)
    .join(', ');
}

export function renderEvidence(value: unknown, depth = 1): string[] {
  const pad = INDENT.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}(none)`];
    return value.flatMap((item) => {
      if (isPlainObject(item)) {
        const inline = inlineObject(item);
        return inline !== null ? [`${pad}- ${inline}`] : [`${pad}-`, ...renderEvidence(item, depth + 1)];
      }
      return [`${pad}- ${scalar(item)}`];
    });
  }
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, entry]) => {
      if (Array.isArray(entry) && entry.every((item) => item === null || typeof item !== 'object')) {
        return [`${pad}${key}: ${entry.length === 0 ? '(none)' : entry.map(scalar).join(', ')}`];
      }
      if (Array.isArray(entry) || isPlainObject(entry)) return [`${pad}${key}:`, ...renderEvidence(entry, depth + 1)];
      return [`${pad}${key}: ${scalar(entry)}`];
    });
  }
  return [`${pad}${scalar(value)}`];
}

function shrink(value: unknown, maxItems: number, maxString: number): unknown {
  if (Array.isArray(value)) {
    const kept = value.slice(0, maxItems).map((item) => shrink(item, maxItems, maxString));
    return value.length > maxItems ? [...kept, `(${value.length - maxItems} more left out of this alert)`] : kept;
  }
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, shrink(entry, maxItems, maxString)]));
  }
  if (typeof value === 'string' && value.length > maxString) {
    return `${value.slice(0, maxString)}... (${value.length - maxString} characters cut)`;
  }
  return value;
}

export interface LimitedEvidence {
  evidence: unknown;
  truncated: boolean;
}

/** Fits evidence into `maxChars` of JSON: fewer list items and shorter strings first, a raw excerpt last. */
export function limitEvidence(evidence: unknown, maxChars: number): LimitedEvidence {
  if (JSON.stringify(evidence ?? null).length <= maxChars) return { evidence, truncated: false };
  for (const [maxItems, maxString] of [[20, 2000], [10, 500], [5, 200], [2, 80], [1, 40]] as const) {
    const shrunk = shrink(evidence, maxItems, maxString);
    if (JSON.stringify(shrunk).length <= maxChars) return { evidence: shrunk, truncated: true };
  }
  const raw = JSON.stringify(evidence);
  return { evidence: { excerpt: `${raw.slice(0, Math.max(0, maxChars - 60))}...`, note: 'evidence cut to fit the alert size limit' }, truncated: true };
}

/** The last `maxChars` of a command's output, cut at a line start when one is near. */
export function tailExcerpt(output: string, maxChars: number): { excerpt: string; cut: boolean } {
  const trimmed = output.replace(/\s+$/, '');
  if (trimmed.length <= maxChars) return { excerpt: trimmed, cut: false };
  let tail = trimmed.slice(trimmed.length - maxChars);
  const lineStart = tail.indexOf('\n');
  if (lineStart >= 0 && lineStart < maxChars / 4) tail = tail.slice(lineStart + 1);
  return { excerpt: tail, cut: true };
}
