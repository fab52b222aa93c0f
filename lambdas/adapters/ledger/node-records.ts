/**
 * The `NODE#<id>` / `STATE` items: evaluations, attempts per cause, the cooldown's start
 * (`lastCommandEndedAt`). Alerts and open causes live on the same item (`node-alerts.ts`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CauseCode } from '../../domain/types';
import type { EvaluationRecord, NodeLedgerRecord } from '../../ports/ledger';
import { emptyRecord, expiresAt, nodeKey, toNodeRecord, type LedgerTable } from './items';

/** BatchGetItem reads at most 100 keys per call (DynamoDB API reference). */
const BATCH_GET_MAX = 100;

export class NodeRecords {
  constructor(private readonly table: LedgerTable) {}

  /** The stored records of these nodes (absent nodes are left out; locks are not on these items). */
  async read(instanceIds: readonly string[]): Promise<Map<string, NodeLedgerRecord>> {
    const ids = [...new Set(instanceIds)];
    const result = new Map<string, NodeLedgerRecord>();
    for (let start = 0; start < ids.length; start += BATCH_GET_MAX) {
      let keys: Array<Record<string, string>> = ids.slice(start, start + BATCH_GET_MAX).map(nodeKey);
      // UnprocessedKeys come back under throttling: read them again until none are left.
      for (let round = 0; keys.length > 0; round += 1) {
        if (round > 0) await sleep(Math.min(1000, 50 * 2 ** round));
        if (round > 8) throw new Error(`ledger BatchGet left ${keys.length} key(s) unprocessed`);
        const response = await this.table.client.send(
          new BatchGetCommand({ RequestItems: { [this.table.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of response.Responses?.[this.table.tableName] ?? []) {
          const record = toNodeRecord(item);
          result.set(record.instanceId, record);
        }
        keys = (response.UnprocessedKeys?.[this.table.tableName]?.Keys ?? []) as Array<Record<string, string>>;
      }
    }
    return result;
  }

  async recordAttempts(instanceId: string, causes: readonly CauseCode[], at: Date, windowHours: number): Promise<void> {
    if (causes.length === 0) return;
    const current = await this.readOne(instanceId);
    const windowStart = at.getTime() - windowHours * 3_600_000;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':expires': expiresAt(at) };
    const sets = ['expiresAt = :expires'];
    causes.forEach((cause, index) => {
      // Runs under the node's lock, so this read-modify-write has no concurrent writer for the node.
      const kept = (current.attempts[cause] ?? []).filter((time) => Date.parse(time) >= windowStart);
      names[`#a${index}`] = `attempts_${cause}`;
      values[`:a${index}`] = [...kept, at.toISOString()];
      sets.push(`#a${index} = :a${index}`);
    });
    await this.update(instanceId, `SET ${sets.join(', ')}`, names, values);
  }

  async forgetAttempts(instanceId: string, causes: readonly CauseCode[], at: string): Promise<void> {
    if (causes.length === 0) return;
    const current = await this.readOne(instanceId);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    causes.forEach((cause, index) => {
      const times = current.attempts[cause] ?? [];
      const position = times.indexOf(at);
      if (position < 0) return;
      names[`#a${index}`] = `attempts_${cause}`;
      values[`:a${index}`] = [...times.slice(0, position), ...times.slice(position + 1)];
      sets.push(`#a${index} = :a${index}`);
    });
    if (sets.length === 0) return;
    await this.update(instanceId, `SET ${sets.join(', ')}`, names, values);
  }

  /** Moves lastCommandEndedAt forward only (a late duplicate event never shortens a cooldown). */
  async markCommandEnded(instanceId: string, at: Date): Promise<void> {
    await this.updateIf(instanceId, 'SET lastCommandEndedAt = :at, expiresAt = :expires', 'attribute_not_exists(lastCommandEndedAt) OR lastCommandEndedAt < :at', {
      ':at': at.toISOString(),
      ':expires': expiresAt(at),
    });
  }

  async recordEvaluation(record: EvaluationRecord): Promise<void> {
    const at = record.at.toISOString();
    const sets = ['firstSeenAt = if_not_exists(firstSeenAt, :at)', 'lastEvaluatedAt = :at', 'lastCheckedAt = :at', 'expiresAt = :expires'];
    const removes: string[] = [];
    const values: Record<string, unknown> = { ':at': at, ':expires': expiresAt(record.at) };
    if (record.summaryFingerprint !== undefined) {
      sets.push('summaryFingerprint = :fingerprint');
      values[':fingerprint'] = record.summaryFingerprint;
    }
    if (record.commandHistoryClear === true) sets.push('commandHistoryClearAt = :at');
    if (record.commandHistoryClear === false) {
      // The read found a failure: it counts as seen, so the summary's OperationEndTime cannot rule it
      // out at the next evaluation (domain/detail-plan.ts) while no read shows it superseded.
      removes.push('commandHistoryClearAt');
      sets.push('patchCommandFailedSeenAt = :at');
    }
    if (record.deferral === null) removes.push('deferral');
    if (record.deferral) {
      // Keep `since` while the same guard keeps deferring (how long a node has been waiting).
      const current = (await this.getItem(record.instanceId))?.['deferral'] as { guard?: string; since?: string } | undefined;
      const since = current?.guard === record.deferral.guard && current.since ? current.since : at;
      sets.push('deferral = :deferral');
      values[':deferral'] = { ...record.deferral, since };
    }
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: nodeKey(record.instanceId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async notePatchCommandFailed(instanceId: string, at: Date): Promise<void> {
    // Any node, evaluated or not: a node first evaluated later may otherwise rule the failure out by
    // its OperationEndTime (domain/detail-plan.ts). A node never evaluated gets a record holding the
    // mark and a TTL, nothing the sweep selects. Only forward: a late duplicate never moves it back.
    await this.updateIf(
      instanceId,
      'SET patchCommandFailedSeenAt = :at, expiresAt = if_not_exists(expiresAt, :expires)',
      'attribute_not_exists(patchCommandFailedSeenAt) OR patchCommandFailedSeenAt < :at',
      { ':at': at.toISOString(), ':expires': expiresAt(at) },
    );
  }

  async recordCheck(instanceId: string, at: Date): Promise<void> {
    // The TTL keeps counting from the last evaluation: a node SSM no longer knows still expires.
    // Only a node already evaluated: a check alone never creates a record.
    await this.updateIf(instanceId, 'SET lastCheckedAt = :at', 'attribute_exists(lastEvaluatedAt)', { ':at': at.toISOString() });
  }

  /** A conditional update; a condition that does not hold is the expected "nothing to do", not an error. */
  private async updateIf(instanceId: string, expression: string, condition: string, values: Record<string, unknown>): Promise<void> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: nodeKey(instanceId),
          UpdateExpression: expression,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) && (error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  private async readOne(instanceId: string): Promise<NodeLedgerRecord> {
    return (await this.read([instanceId])).get(instanceId) ?? emptyRecord(instanceId);
  }

  private async getItem(instanceId: string): Promise<Record<string, unknown> | undefined> {
    const response = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: nodeKey(instanceId), ConsistentRead: true }),
    );
    return response.Item;
  }

  private async update(instanceId: string, expression: string, names: Record<string, string>, values: Record<string, unknown>): Promise<void> {
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: nodeKey(instanceId),
        UpdateExpression: expression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
