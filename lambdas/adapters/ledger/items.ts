/**
 * Item shapes of the ledger table (keys, TTL, item → record/lock conversion), shared by the ledger
 * adapter's parts (`dynamo-ledger.ts`, `ledger/*.ts`) and `dynamo-notices.ts`. See `dynamo-ledger.ts`
 * for the item layout.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeferralGuard } from '../../domain/alerts/types';
import { CAUSE_CODES, type CauseCode, type RemediationAction } from '../../domain/types';
import type { AlertMark, CommandLock, NodeLedgerRecord } from '../../ports/ledger';

export const SLOTS_KEY = { pk: 'ACCOUNT', sk: 'IN_FLIGHT' } as const;
/** Node items expire when nothing happened to them for this long (DynamoDB TTL). */
const NODE_TTL_DAYS = 35;

/** The client and table every part of the ledger adapter writes to. */
export interface LedgerTable {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export function nodeKey(instanceId: string): { pk: string; sk: string } {
  return { pk: `NODE#${instanceId}`, sk: 'STATE' };
}

export function expiresAt(at: Date): number {
  return Math.floor(at.getTime() / 1000) + NODE_TTL_DAYS * 86_400;
}

export function emptyRecord(instanceId: string): NodeLedgerRecord {
  return { instanceId, attempts: {}, alerts: {}, openCauses: [] };
}

export function toNodeRecord(item: Record<string, unknown>): NodeLedgerRecord {
  const instanceId = String(item['pk']).slice('NODE#'.length);
  const record = emptyRecord(instanceId);
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith('attempts_')) {
      const cause = name.slice('attempts_'.length) as CauseCode;
      if (CAUSE_CODES.includes(cause) && Array.isArray(value)) record.attempts[cause] = value.map(String);
    } else if (name.startsWith('alert_') && isAlertMark(value)) {
      record.alerts[name.slice('alert_'.length)] = { fingerprint: value.fingerprint, sentAt: value.sentAt };
    }
  }
  if (typeof item['firstSeenAt'] === 'string') record.firstSeenAt = item['firstSeenAt'];
  if (typeof item['lastCommandEndedAt'] === 'string') record.lastCommandEndedAt = item['lastCommandEndedAt'];
  if (typeof item['summaryFingerprint'] === 'string') record.summaryFingerprint = item['summaryFingerprint'];
  if (typeof item['lastEvaluatedAt'] === 'string') record.lastEvaluatedAt = item['lastEvaluatedAt'];
  if (typeof item['lastCheckedAt'] === 'string') record.lastCheckedAt = item['lastCheckedAt'];
  if (typeof item['commandHistoryClearAt'] === 'string') record.commandHistoryClearAt = item['commandHistoryClearAt'];
  if (typeof item['patchCommandFailedSeenAt'] === 'string') record.patchCommandFailedSeenAt = item['patchCommandFailedSeenAt'];
  record.openCauses = causeList(item['openCauses']);
  const deferral = item['deferral'] as { guard?: unknown; reason?: unknown; since?: unknown } | undefined;
  if (deferral && typeof deferral.guard === 'string' && typeof deferral.since === 'string') {
    record.deferral = { guard: deferral.guard as DeferralGuard, reason: String(deferral.reason ?? ''), since: deferral.since };
  }
  return record;
}

export function toLock(value: unknown): CommandLock | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const raw = value as Record<string, unknown>;
  if (typeof raw['instanceId'] !== 'string' || typeof raw['lockToken'] !== 'string') return undefined;
  return {
    instanceId: raw['instanceId'],
    lockToken: raw['lockToken'],
    action: String(raw['action']) as RemediationAction,
    causes: Array.isArray(raw['causes']) ? (raw['causes'].map(String) as CauseCode[]) : [],
    reboot: raw['reboot'] === true,
    acquiredAt: String(raw['acquiredAt']),
    ...(typeof raw['commandId'] === 'string' ? { commandId: raw['commandId'] } : {}),
    ...(typeof raw['sendToken'] === 'string' ? { sendToken: raw['sendToken'] } : {}),
    ...(typeof raw['sentAt'] === 'string' ? { sentAt: raw['sentAt'] } : {}),
  };
}

function isAlertMark(value: unknown): value is AlertMark {
  return !!value && typeof value === 'object' && typeof (value as AlertMark).fingerprint === 'string' && typeof (value as AlertMark).sentAt === 'string';
}

export function causeList(value: unknown): CauseCode[] {
  const list = value instanceof Set ? [...(value as Set<unknown>)] : Array.isArray(value) ? value : [];
  return list.map(String).filter((code): code is CauseCode => (CAUSE_CODES as readonly string[]).includes(code)).sort();
}
