/**
 * What to import for one node, given what was imported before (the ledger's finding records): new
 * and changed findings, findings still open but nearing Security Hub's 90-day expiry, and archives for
 * causes that cleared, compliant nodes, deregistered or opted-out nodes. Nothing when nothing changed.
 * Pure: the use case reads the records, imports, and writes back the records of what was accepted.
 */
import { causeFingerprint } from '../alerts/fingerprint';
import type { CauseCode, Diagnosis, Severity } from '../types';
import type { FindingScope, AsffFinding } from './asff';
import { causeAutomation, type NodeAutomation } from './automation';
import { archivedFinding, openFinding, type ArchiveReason } from './map';

/** What the ledger keeps per node and cause about the finding it imported. */
export interface FindingRecord {
  cause: CauseCode;
  /** The Id's CreatedAt: first import, stable across updates and re-openings. */
  createdAt: string;
  /** When the current open episode was first read on the node (FirstObservedAt). */
  openedAt: string;
  /** UpdatedAt of the last accepted import (the next one must be later). */
  updatedAt: string;
  /** `causeFingerprint` of the evidence at the last import (the alert dedupe's fingerprint). */
  evidenceFingerprint: string;
  /** `CauseAutomation.key` at the last import. */
  automationKey: string;
  severity: Severity;
  archived: boolean;
}

export type NodeFindingsInput =
  | { kind: 'EVALUATED'; diagnosis: Diagnosis; automation: NodeAutomation }
  /** SSM does not know the node any more. */
  | { kind: 'DEREGISTERED'; instanceId: string; observedAt: string }
  /** Scope tag `off`: the autopilot leaves the node alone, findings included. */
  | { kind: 'OPTED_OUT'; instanceId: string; observedAt: string; nodeName?: string };

export type ImportReason = 'NEW' | 'REOPENED' | 'EVIDENCE_CHANGED' | 'AUTOMATION_CHANGED' | 'REFRESH' | ArchiveReason;

export interface PlannedImport {
  instanceId: string;
  cause: CauseCode;
  reason: ImportReason;
  finding: AsffFinding;
  /** The record to keep once Security Hub accepted the finding. */
  record: FindingRecord;
}

export interface FindingPolicy {
  /**
   * An open finding not updated for this many days is re-imported as it is: Security Hub deletes
   * findings 90 days after their last update ("Required top-level ASFF attributes", CreatedAt note).
   */
  refreshAfterDays: number;
  /**
   * A record older than this is treated as absent: its finding may be gone from Security Hub (an
   * archived one is not refreshed), so the next import is a first import again.
   */
  forgetAfterDays: number;
}

export const DEFAULT_FINDING_POLICY: FindingPolicy = { refreshAfterDays: 30, forgetAfterDays: 80 };

const DAY_MS = 86_400_000;

export function instanceIdOf(input: NodeFindingsInput): string {
  return input.kind === 'EVALUATED' ? input.diagnosis.instanceId : input.instanceId;
}

export function planNodeFindings(
  input: NodeFindingsInput,
  stored: ReadonlyMap<CauseCode, FindingRecord>,
  scope: FindingScope,
  now: Date,
  policy: FindingPolicy = DEFAULT_FINDING_POLICY,
): PlannedImport[] {
  const records = new Map([...stored].filter(([, record]) => now.getTime() - Date.parse(record.updatedAt) < policy.forgetAfterDays * DAY_MS));
  const instanceId = instanceIdOf(input);
  const planned: PlannedImport[] = [];
  const archive = (record: FindingRecord, reason: ArchiveReason, observedAt: string, nodeName?: string): void => {
    const updatedAt = nextUpdatedAt(now, record.updatedAt);
    planned.push({
      instanceId,
      cause: record.cause,
      reason,
      finding: archivedFinding({
        scope,
        instanceId,
        ...(nodeName ? { nodeName } : {}),
        cause: record.cause,
        lastSeverity: record.severity,
        createdAt: record.createdAt,
        updatedAt,
        observedAt,
        reason,
      }),
      record: { ...record, updatedAt, archived: true },
    });
  };
  const open = [...records.values()].filter((record) => !record.archived);

  if (input.kind === 'DEREGISTERED') {
    for (const record of open) archive(record, 'NODE_DEREGISTERED', input.observedAt);
    return planned;
  }
  if (input.kind === 'OPTED_OUT') {
    for (const record of open) archive(record, 'NODE_OPTED_OUT', input.observedAt, input.nodeName);
    return planned;
  }

  const { diagnosis, automation } = input;
  const present = new Set(diagnosis.causes.map((cause) => cause.code));
  for (const record of open) {
    if (!present.has(record.cause)) archive(record, diagnosis.compliant ? 'NODE_COMPLIANT' : 'CAUSE_CLEARED', diagnosis.capturedAt, diagnosis.nodeName);
  }
  for (const cause of diagnosis.causes) {
    const record = records.get(cause.code);
    const evidenceFingerprint = causeFingerprint(instanceId, cause);
    const perCause = causeAutomation(cause.code, automation);
    const reason = importReason(record, evidenceFingerprint, perCause.key, now, policy);
    if (!reason) continue;
    const updatedAt = nextUpdatedAt(now, record?.updatedAt);
    const createdAt = record?.createdAt ?? updatedAt;
    // The episode starts when the cause was first read on the node (FirstObservedAt <= LastObservedAt).
    const openedAt = record && !record.archived ? record.openedAt : diagnosis.capturedAt;
    planned.push({
      instanceId,
      cause: cause.code,
      reason,
      finding: openFinding({
        scope,
        diagnosis,
        cause,
        automation: perCause,
        evidenceFingerprint,
        times: { createdAt, updatedAt, firstObservedAt: openedAt },
        firstImport: record === undefined,
      }),
      record: {
        cause: cause.code,
        createdAt,
        openedAt,
        updatedAt,
        evidenceFingerprint,
        automationKey: perCause.key,
        severity: cause.severity,
        archived: false,
      },
    });
  }
  return planned;
}

function importReason(record: FindingRecord | undefined, fingerprint: string, automationKey: string, now: Date, policy: FindingPolicy): ImportReason | null {
  if (!record) return 'NEW';
  if (record.archived) return 'REOPENED';
  if (record.evidenceFingerprint !== fingerprint) return 'EVIDENCE_CHANGED';
  if (record.automationKey !== automationKey) return 'AUTOMATION_CHANGED';
  if (now.getTime() - Date.parse(record.updatedAt) >= policy.refreshAfterDays * DAY_MS) return 'REFRESH';
  return null;
}

/** UpdatedAt strictly increases per Id, even when the clock did not move (or moved back). */
export function nextUpdatedAt(now: Date, previous?: string): string {
  const floor = previous ? Date.parse(previous) + 1 : Number.NEGATIVE_INFINITY;
  return new Date(Math.max(now.getTime(), floor)).toISOString();
}
