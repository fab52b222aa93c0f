/** A real DynamoDB-compatible server (dynalite) with the ledger table, for ledger and triage tests. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createLedgerTable } from '../../sim/ledger-table';

// dynalite ships no types; this is the one call we use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs: number }) => Server;

export interface LocalTable {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  endpoint: string;
  /** Another table with the ledger's key schema on the same server (a fresh ledger per test). */
  createTable(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startLedgerTable(tableName = 'ledger'): Promise<LocalTable> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const createTable = (name: string): Promise<void> => createLedgerTable(client, name);
  await createTable(tableName);
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    documentClient,
    tableName,
    endpoint,
    createTable,
    close: async () => {
      client.destroy();
      // Keep-alive connections (e.g. the fake AWS server's proxy) would otherwise hold close() open.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
