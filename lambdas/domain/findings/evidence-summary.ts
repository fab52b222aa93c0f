/**
 * A cause's evidence in one short line for a finding's Description (1,024 characters in all), and
 * the CVE IDs the evidence carries. Times are left out: the same stable form the alert fingerprint
 * hashes (`stableEvidence`), so the text does not change when only a scan time moved.
 */
import { stableEvidence } from '../alerts/fingerprint';

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
/** Fields that name an item in a list of objects, in order of preference. */
const NAME_KEYS = ['kbId', 'title', 'associationName', 'associationId', 'documentName', 'commandId', 'id', 'complianceType'] as const;
const STATUS_KEYS = ['status', 'detailedStatus', 'errorCode', 'severity'] as const;
const LIST_ITEMS = 3;

export function summarizeEvidence(evidence: Record<string, unknown>, maxChars: number): string {
  const stable = stableEvidence(evidence) as Record<string, unknown>;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(stable)) {
    const rendered = renderValue(value);
    if (rendered !== null) parts.push(`${key}=${rendered}`);
  }
  const line = parts.join('; ');
  return line.length <= maxChars ? line : `${line.slice(0, Math.max(0, maxChars - 1)).trimEnd()}…`;
}

/** Distinct CVE IDs anywhere in the evidence (patch lists carry them as `cveIds`). */
export function cveIdsIn(evidence: unknown, cap = 50): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (found.size >= cap) return;
    if (typeof value === 'string') {
      if (CVE_ID.test(value)) found.add(value);
    } else if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value !== null && typeof value === 'object') {
      Object.values(value).forEach(walk);
    }
  };
  walk(evidence);
  return [...found].slice(0, cap);
}

function renderValue(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return renderList(value);
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    // A patch list (domain/patch-state.ts PatchListEvidence): the total and the first few patches.
    if (typeof object['total'] === 'number' && Array.isArray(object['patches'])) {
      const names = renderList(object['patches']);
      return names ? `${object['total']} (${names})` : String(object['total']);
    }
    return inlineObject(object);
  }
  return null;
}

function renderList(items: readonly unknown[]): string | null {
  if (items.length === 0) return null;
  const shown = items.slice(0, LIST_ITEMS).map((item) => (item !== null && typeof item === 'object' ? nameOf(item as Record<string, unknown>) : String(item)));
  const more = items.length > LIST_ITEMS ? ` +${items.length - LIST_ITEMS} more` : '';
  return `${shown.join(', ')}${more}`;
}

function nameOf(item: Record<string, unknown>): string {
  const name = NAME_KEYS.map((key) => item[key]).find((value) => typeof value === 'string' && value.length > 0);
  const status = STATUS_KEYS.map((key) => item[key]).find((value) => typeof value === 'string' && value.length > 0);
  if (name === undefined) return inlineObject(item) ?? '?';
  return status === undefined ? String(name) : `${String(name)} (${String(status)})`;
}

function inlineObject(object: Record<string, unknown>): string | null {
  const fields = Object.entries(object)
    .filter(([, entry]) => entry !== null && entry !== undefined && entry !== '' && typeof entry !== 'object')
    .slice(0, 4)
    .map(([key, entry]) => `${key}: ${String(entry)}`);
  return fields.length > 0 ? `{${fields.join(', ')}}` : null;
}
