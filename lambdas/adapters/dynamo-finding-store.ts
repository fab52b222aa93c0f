/**
 * FindingStore over the ledger table: what was imported into Security Hub per node and cause.
 *
 * Item `NODE#<id>` / `FINDINGS` (its own item beside the node's `STATE`, so the remediation ledger's
 * writes and this one never touch the same item): one top-level map attribute `f_<CAUSE>` per cause
 * (CreatedAt, open-episode start, last UpdatedAt, evidence fingerprint, automation key, severity,
 * archived). A save is conditional on a later UpdatedAt, so two containers that imported the same
 * finding concurrently keep the newer record. The sweep's scan filters on `sk = STATE` and skips it.
 *
 * TTL: Security Hub deletes a finding 90 days after its last update; the item expires 90 days after
 * its last save (open findings are refreshed every 30 days, so only closed ones run out).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FindingRecord } from '../domain/findings/plan';
import { CAUSE_CODES, SEVERITIES, type CauseCode, type Severity } from '../domain/types';
import type { FindingStore } from '../ports/findings';

/** BatchGetItem reads at most 100 keys per call (DynamoDB API reference). */
const BATCH_GET_MAX = 100;
const TTL_DAYS = 90;
const ATTRIBUTE_PREFIX = 'f_';

export function findingsKey(instanceId: string): { pk: string; sk: string } {
  return { pk: `NODE#${instanceId}`, sk: 'FINDINGS' };
}

export class DynamoFindingStore implements FindingStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async read(instanceIds: readonly string[]): Promise<Map<string, Map<CauseCode, FindingRecord>>> {
    const ids = [...new Set(instanceIds)];
    const result = new Map<string, Map<CauseCode, FindingRecord>>(ids.map((id) => [id, new Map()]));
    for (let start = 0; start < ids.length; start += BATCH_GET_MAX) {
      let keys: Array<Record<string, string>> = ids.slice(start, start + BATCH_GET_MAX).map(findingsKey);
      // UnprocessedKeys come back under throttling: read them again, with a growing pause.
      for (let round = 0; keys.length > 0; round += 1) {
        if (round > 8) throw new Error(`finding store BatchGet left ${keys.length} key(s) unprocessed`);
        if (round > 0) await this.sleep(Math.min(1000, 50 * 2 ** round));
        const response = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of response.Responses?.[this.tableName] ?? []) {
          const instanceId = String(item['pk']).slice('NODE#'.length);
          result.set(instanceId, toRecords(item));
        }
        keys = (response.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, string>>;
      }
    }
    return result;
  }

  async save(instanceId: string, record: FindingRecord): Promise<boolean> {
    const expiresAt = Math.floor(Date.parse(record.updatedAt) / 1000) + TTL_DAYS * 86_400;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: findingsKey(instanceId),
          UpdateExpression: 'SET #record = :record, expiresAt = :expires',
          // ISO-8601 UTC strings with milliseconds compare in time order.
          ConditionExpression: 'attribute_not_exists(#record) OR #record.updatedAt < :updatedAt',
          ExpressionAttributeNames: { '#record': `${ATTRIBUTE_PREFIX}${record.cause}` },
          ExpressionAttributeValues: { ':record': stored(record), ':updatedAt': record.updatedAt, ':expires': expiresAt },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function stored(record: FindingRecord): Record<string, unknown> {
  return {
    createdAt: record.createdAt,
    openedAt: record.openedAt,
    updatedAt: record.updatedAt,
    evidenceFingerprint: record.evidenceFingerprint,
    automationKey: record.automationKey,
    severity: record.severity,
    archived: record.archived,
  };
}

function toRecords(item: Record<string, unknown>): Map<CauseCode, FindingRecord> {
  const records = new Map<CauseCode, FindingRecord>();
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(ATTRIBUTE_PREFIX) || !value || typeof value !== 'object') continue;
    const cause = name.slice(ATTRIBUTE_PREFIX.length) as CauseCode;
    if (!CAUSE_CODES.includes(cause)) continue;
    const raw = value as Record<string, unknown>;
    const strings = ['createdAt', 'openedAt', 'updatedAt', 'evidenceFingerprint', 'automationKey'] as const;
    if (!strings.every((key) => typeof raw[key] === 'string')) continue;
    const severity = (SEVERITIES as readonly string[]).includes(String(raw['severity'])) ? (raw['severity'] as Severity) : 'INFORMATIONAL';
    records.set(cause, {
      cause,
      createdAt: String(raw['createdAt']),
      openedAt: String(raw['openedAt']),
      updatedAt: String(raw['updatedAt']),
      evidenceFingerprint: String(raw['evidenceFingerprint']),
      automationKey: String(raw['automationKey']),
      severity,
      archived: raw['archived'] === true,
    });
  }
  return records;
}
