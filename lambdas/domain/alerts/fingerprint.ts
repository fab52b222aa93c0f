/**
 * Alert fingerprints: the ledger alerts the same node + cause + evidence at most once per
 * `alertRepeatHours`. Evidence carries times that change on every scan or ping (operation end time,
 * last ping, association execution date, ages in hours); they are removed first, so a node that stays
 * broken the same way keeps one fingerprint, and a change that matters (another patch, another error
 * code, more failed patches) gets a new one.
 */
import { createHash } from 'node:crypto';
import type { Cause, CauseCode } from '../types';

/** camelCase keys naming a point in time or an age: volatile by construction. */
const VOLATILE_KEY = /(?:Time|DateTime|Date|At)$|^(?:age|lastPing)/;
/** ISO-8601 timestamps anywhere in the evidence (e.g. inside a free-text execution summary list). */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** Evidence with volatile fields removed and object keys sorted: the canonical form that is hashed. */
export function stableEvidence(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stableEvidence);
  if (value !== null && typeof value === 'object') {
    const stable: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const entry = (value as Record<string, unknown>)[key];
      if (VOLATILE_KEY.test(key) || (typeof entry === 'string' && ISO_TIMESTAMP.test(entry))) continue;
      stable[key] = stableEvidence(entry);
    }
    return stable;
  }
  if (typeof value === 'string' && ISO_TIMESTAMP.test(value)) return null;
  return value;
}

export function alertFingerprint(instanceId: string, causeCode: CauseCode | string, evidence: unknown): string {
  const canonical = JSON.stringify([instanceId, causeCode, stableEvidence(evidence)]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

export function causeFingerprint(instanceId: string, cause: Pick<Cause, 'code' | 'evidence'>): string {
  return alertFingerprint(instanceId, cause.code, cause.evidence);
}
