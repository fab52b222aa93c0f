/**
 * Creates a table with the ledger's key schema (lib/constructs/remediation-ledger-table.ts: pk / sk)
 * and waits until it is ACTIVE. dynalite, like DynamoDB, reports a new table CREATING for a moment and
 * answers ResourceNotFoundException to item calls until then; on a loaded machine the first write can
 * arrive before the switch, so the simulator and the tests wait with the SDK's own waiter.
 */
import { CreateTableCommand, waitUntilTableExists, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** CreateTable input for a table named `tableName` with the ledger's keys. */
export function ledgerTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  };
}

export async function createLedgerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(ledgerTableInput(tableName)));
  await waitUntilTableExists({ client, minDelay: 0.02, maxDelay: 0.2, maxWaitTime: 10 }, { TableName: tableName });
}
