/**
 * The simulator and the dynalite tests create the ledger table and write to it at once. dynalite, like
 * DynamoDB, keeps a new table CREATING for a moment and answers ResourceNotFoundException meanwhile;
 * createLedgerTable must return only once the table takes writes. dynalite's CREATING period is
 * lengthened here so the race is not left to the machine's load.
 */
import { CreateTableCommand, DynamoDBClient, PutItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createLedgerTable, ledgerTableInput } from '../../sim/ledger-table';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs: number }) => Server;

let server: Server;
let client: DynamoDBClient;
beforeAll(async () => {
  server = dynalite({ createTableMs: 300 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});
afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const put = (table: string) =>
  client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'NODE#i-0abc' }, sk: { S: 'STATE' } } }));

test('a write right after a bare CreateTable is refused while the table is CREATING (the race)', async () => {
  await client.send(new CreateTableCommand(ledgerTableInput('bare')));
  await expect(put('bare')).rejects.toBeInstanceOf(ResourceNotFoundException);
});

test('createLedgerTable returns once the table is ACTIVE: the first write succeeds', async () => {
  await createLedgerTable(client, 'ledger');
  await expect(put('ledger')).resolves.toBeDefined();
});
