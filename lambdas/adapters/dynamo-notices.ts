/**
 * NoticeLedger over the ledger table: account-wide notices (the paused reminder) as `ACCOUNT` /
 * `NOTICE#<key>` items holding `sentAt`, outside the NODE# items, so no scan or report mistakes one
 * for a node. One conditional UpdateItem decides who sends (at most one per `repeatHours`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NoticeLedger } from '../ports/ledger';
import { expiresAt } from './dynamo-ledger';

export class DynamoNoticeLedger implements NoticeLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claimNotice(key: string, now: Date, repeatHours: number): Promise<boolean> {
    const cutoff = new Date(now.getTime() - repeatHours * 3_600_000).toISOString();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: noticeKey(key),
          UpdateExpression: 'SET sentAt = :now, expiresAt = :expires',
          // ISO-8601 UTC strings compare in time order.
          ConditionExpression: 'attribute_not_exists(sentAt) OR sentAt < :cutoff',
          ExpressionAttributeValues: { ':now': now.toISOString(), ':cutoff': cutoff, ':expires': expiresAt(now) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async forgetNotice(key: string, now: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: noticeKey(key),
          UpdateExpression: 'REMOVE sentAt',
          ConditionExpression: 'sentAt = :now',
          ExpressionAttributeValues: { ':now': now.toISOString() },
        }),
      );
    } catch (error) {
      // Someone else claimed it meanwhile: theirs stays.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

function noticeKey(key: string): { pk: string; sk: string } {
  return { pk: 'ACCOUNT', sk: `NOTICE#${key}` };
}
