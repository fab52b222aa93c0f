/**
 * FailureNotesRecord over the ledger table: one `ACCOUNT` / `FAILED_PATCH_NOTES` item holding `since`
 * (ISO), outside the NODE# items so no scan or report mistakes it for a node. No TTL: it stays true
 * for as long as the stack runs (a stack removed with its table takes it along).
 *
 * `since` is set once and never changes, so a container caches it once read; while it is absent the
 * triage asks again (one GetItem per evaluation batch, until the first sweep has run).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { FailureNotesRecord } from '../../ports/ledger';
import type { LedgerTable } from './items';

/** Versioned: a future change of what the follow-up notes starts a new record rather than trusting this one. */
export const FAILURE_NOTES_KEY = { pk: 'ACCOUNT', sk: 'FAILED_PATCH_NOTES#v1' } as const;

export class DynamoFailureNotes implements FailureNotesRecord {
  private known: string | undefined;

  constructor(private readonly table: LedgerTable) {}

  async since(): Promise<string | undefined> {
    if (this.known) return this.known;
    const item = (await this.table.client.send(new GetCommand({ TableName: this.table.tableName, Key: FAILURE_NOTES_KEY, ConsistentRead: true }))).Item;
    const since = item?.['since'];
    if (typeof since === 'string' && !Number.isNaN(Date.parse(since))) this.known = since;
    return this.known;
  }

  async start(at: Date): Promise<void> {
    if (this.known) return;
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...FAILURE_NOTES_KEY, since: at.toISOString() },
          ConditionExpression: 'attribute_not_exists(since)',
        }),
      );
      this.known = at.toISOString();
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      await this.since();
    }
  }
}
