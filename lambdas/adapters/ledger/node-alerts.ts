/**
 * Alert marks (`alert_<key>`: who may send an alert, at most once per fingerprint and repeat window)
 * and the open-cause set (what was alerted and not yet resolved) on the `NODE#<id>` / `STATE` item.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CauseCode } from '../../domain/types';
import type { AlertMark } from '../../ports/ledger';
import { causeList, expiresAt, nodeKey, type LedgerTable } from './items';

export class NodeAlerts {
  constructor(private readonly table: LedgerTable) {}

  async claimAlert(instanceId: string, key: string, fingerprint: string, now: Date, repeatHours: number): Promise<boolean> {
    const mark: AlertMark = { fingerprint, sentAt: now.toISOString() };
    const cutoff = new Date(now.getTime() - repeatHours * 3_600_000).toISOString();
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: nodeKey(instanceId),
          UpdateExpression: 'SET #alert = :mark, expiresAt = :expires',
          // ISO-8601 UTC strings compare in time order.
          ConditionExpression: 'attribute_not_exists(#alert) OR #alert.fingerprint <> :fingerprint OR #alert.sentAt < :cutoff',
          ExpressionAttributeNames: { '#alert': `alert_${key}` },
          ExpressionAttributeValues: { ':mark': mark, ':fingerprint': fingerprint, ':cutoff': cutoff, ':expires': expiresAt(now) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async forgetAlert(instanceId: string, key: string, fingerprint: string): Promise<void> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: nodeKey(instanceId),
          UpdateExpression: 'REMOVE #alert',
          ConditionExpression: '#alert.fingerprint = :fingerprint',
          ExpressionAttributeNames: { '#alert': `alert_${key}` },
          ExpressionAttributeValues: { ':fingerprint': fingerprint },
        }),
      );
    } catch (error) {
      // Someone else claimed a newer fingerprint meanwhile: theirs stays.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async markOpenCauses(instanceId: string, causes: readonly CauseCode[]): Promise<void> {
    if (causes.length === 0) return;
    await this.table.client.send(
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: nodeKey(instanceId),
        UpdateExpression: 'ADD openCauses :causes',
        ExpressionAttributeValues: { ':causes': new Set(causes) },
      }),
    );
  }

  async takeOpenCauses(instanceId: string): Promise<CauseCode[]> {
    try {
      const response = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: nodeKey(instanceId),
          UpdateExpression: 'REMOVE openCauses',
          ConditionExpression: 'attribute_exists(openCauses)',
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return causeList(response.Attributes?.['openCauses']);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return [];
      throw error;
    }
  }
}
