/**
 * SweepScanner over the ledger table (items written by adapters/dynamo-ledger.ts: `NODE#<id>` /
 * `STATE`): nodes with a deferral, an ended command, or not read from SSM since `checkedBefore`. Scan with a filter: DynamoDB applies `Limit` before the filter (Scan API reference), so
 * a page costs at most `pageSize` items of read capacity however few match. The cursor of an
 * unfinished pass is kept in its own item (`SWEEP` / `CURSOR`).
 */
import { GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CAUSE_CODES, type CauseCode } from '../domain/types';
import type { DeferralGuard } from '../domain/alerts/types';
import type { SweepNodeState, SweepScanner } from '../ports/sweep';

const CURSOR_KEY = { pk: 'SWEEP', sk: 'CURSOR' } as const;

export class DynamoSweepScanner implements SweepScanner {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async scanPage(options: { cursor?: string; pageSize: number; checkedBefore: string }): Promise<{ nodes: SweepNodeState[]; cursor?: string }> {
    const response = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        Limit: options.pageSize,
        ...(options.cursor ? { ExclusiveStartKey: decodeCursor(options.cursor) } : {}),
        FilterExpression:
          'begins_with(pk, :node) AND sk = :state AND (attribute_exists(deferral) OR attribute_exists(lastCommandEndedAt) OR lastCheckedAt < :checkedBefore OR (attribute_not_exists(lastCheckedAt) AND lastEvaluatedAt < :checkedBefore))',
        ProjectionExpression: 'pk, deferral, lastCommandEndedAt, lastEvaluatedAt, lastCheckedAt, openCauses',
        ExpressionAttributeValues: { ':node': 'NODE#', ':state': 'STATE', ':checkedBefore': options.checkedBefore },
      }),
    );
    const nodes = (response.Items ?? []).map(toSweepNodeState);
    return { nodes, ...(response.LastEvaluatedKey ? { cursor: encodeCursor(response.LastEvaluatedKey) } : {}) };
  }

  async loadCursor(): Promise<string | undefined> {
    const response = await this.client.send(new GetCommand({ TableName: this.tableName, Key: CURSOR_KEY }));
    const cursor = response.Item?.['cursor'];
    return typeof cursor === 'string' && cursor.length > 0 ? cursor : undefined;
  }

  async saveCursor(cursor: string | undefined): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...CURSOR_KEY, cursor: cursor ?? '' } }));
  }
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function toSweepNodeState(item: Record<string, unknown>): SweepNodeState {
  const state: SweepNodeState = { instanceId: String(item['pk']).slice('NODE#'.length), openCauses: [] };
  if (typeof item['lastCommandEndedAt'] === 'string') state.lastCommandEndedAt = item['lastCommandEndedAt'];
  if (typeof item['lastEvaluatedAt'] === 'string') state.lastEvaluatedAt = item['lastEvaluatedAt'];
  if (typeof item['lastCheckedAt'] === 'string') state.lastCheckedAt = item['lastCheckedAt'];
  const deferral = item['deferral'] as { guard?: unknown; reason?: unknown; since?: unknown } | undefined;
  if (deferral && typeof deferral.guard === 'string' && typeof deferral.since === 'string') {
    state.deferral = { guard: deferral.guard as DeferralGuard, reason: String(deferral.reason ?? ''), since: deferral.since };
  }
  const open = item['openCauses'];
  const list = open instanceof Set ? [...(open as Set<unknown>)] : Array.isArray(open) ? open : [];
  state.openCauses = list.map(String).filter((code): code is CauseCode => (CAUSE_CODES as readonly string[]).includes(code));
  return state;
}
