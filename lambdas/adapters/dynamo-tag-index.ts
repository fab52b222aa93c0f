/**
 * ScopeTagIndexStore over the ledger table: the scope tag index built by one container, read by all.
 *
 * Why: the index is a fleet-wide listing (DescribeInstanceInformation `tag:` filters cannot be combined
 * with an InstanceIds filter), ⌈tagged nodes / 50⌉ SSM calls per build. Built per container, its cost
 * grows with the fleet times the warm containers; shared, it is one build per `scopeTagCacheMinutes`
 * for the whole account, and the other containers pay a DynamoDB read instead of SSM calls.
 *
 * Items (pk, sk):
 *  - `ACCOUNT` / `SCOPE_TAGS`: the head: `builtAt` and `parts` of the newest complete index, and
 *    `refreshUntil` (the rebuild claim).
 *  - `SCOPE_TAGS#<builtAt>` / `<part, zero-padded>`: up to PART_NODES node IDs per item in three
 *    lists `auto`, `notify`, `off` (well under the 400 KB item limit), expiring after PART_TTL_HOURS.
 * The parts are written first and the head last, conditionally on a newer `builtAt`, so a reader never
 * sees a partial index and a slow builder never replaces a newer index with an older one.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ScopeTagIndex, ScopeTagIndexStore } from '../ports';

const HEAD_KEY = { pk: 'ACCOUNT', sk: 'SCOPE_TAGS' } as const;
/** Node IDs per part item: 8,000 IDs of ~20 bytes is ~170 KB. */
export const PART_NODES = 8_000;
/** Parts outlive any sane `scopeTagCacheMinutes` (at most 1,440) by a day, then expire. */
const PART_TTL_HOURS = 48;
const SCOPE_VALUES = ['auto', 'notify', 'off'] as const;

export class DynamoScopeTagIndexStore implements ScopeTagIndexStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async load(): Promise<ScopeTagIndex | null> {
    const head = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: HEAD_KEY, ConsistentRead: true }))).Item;
    const builtAt = typeof head?.['builtAt'] === 'string' ? head['builtAt'] : undefined;
    const parts = typeof head?.['parts'] === 'number' ? head['parts'] : undefined;
    if (!builtAt || parts === undefined) return null;

    const valueByNode = new Map<string, string>();
    let partsRead = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': partKey(builtAt, 0).pk },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        partsRead += 1;
        for (const value of SCOPE_VALUES) {
          const ids = item[value];
          if (Array.isArray(ids)) for (const id of ids) if (typeof id === 'string') valueByNode.set(id, value);
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    // Parts expired (TTL): not an index to act on.
    return partsRead === parts ? { builtAt, valueByNode } : null;
  }

  async claimRefresh(now: Date, until: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: HEAD_KEY,
          UpdateExpression: 'SET refreshUntil = :until',
          ConditionExpression: 'attribute_not_exists(refreshUntil) OR refreshUntil < :now',
          ExpressionAttributeValues: { ':until': until.toISOString(), ':now': now.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async save(index: ScopeTagIndex): Promise<void> {
    const entries = [...index.valueByNode.entries()].sort(([a], [b]) => a.localeCompare(b));
    const expiresAt = Math.floor(Date.parse(index.builtAt) / 1000) + PART_TTL_HOURS * 3600;
    const parts = Math.max(1, Math.ceil(entries.length / PART_NODES));
    for (let part = 0; part < parts; part += 1) {
      const slice = entries.slice(part * PART_NODES, (part + 1) * PART_NODES);
      const lists = Object.fromEntries(SCOPE_VALUES.map((value) => [value, slice.filter(([, v]) => v === value).map(([id]) => id)]));
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...partKey(index.builtAt, part), ...lists, expiresAt } }));
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: HEAD_KEY,
          UpdateExpression: 'SET builtAt = :builtAt, parts = :parts REMOVE refreshUntil',
          ConditionExpression: 'attribute_not_exists(builtAt) OR builtAt < :builtAt',
          ExpressionAttributeValues: { ':builtAt': index.builtAt, ':parts': parts },
        }),
      );
    } catch (error) {
      // A newer index is already in place: ours is older and its parts simply expire.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

function partKey(builtAt: string, part: number): { pk: string; sk: string } {
  return { pk: `SCOPE_TAGS#${builtAt}`, sk: String(part).padStart(4, '0') };
}
