/** The Security Hub finding records in the ledger table (dynalite): round trip, newer wins, apart from the node's STATE item. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoFindingStore, findingsKey } from '../../lambdas/adapters/dynamo-finding-store';
import { DynamoRemediationLedger } from '../../lambdas/adapters/dynamo-ledger';
import { DynamoSweepScanner } from '../../lambdas/adapters/dynamo-sweep-scanner';
import type { FindingRecord } from '../../lambdas/domain/findings';
import { startLedgerTable, type LocalTable } from './dynalite';

let table: LocalTable;
let tableCount = 0;

beforeAll(async () => {
  table = await startLedgerTable('findings-0');
});
afterAll(async () => table.close());

async function freshTable(): Promise<string> {
  tableCount += 1;
  const name = `findings-${tableCount}`;
  await table.createTable(name);
  return name;
}

function record(overrides: Partial<FindingRecord> = {}): FindingRecord {
  return {
    cause: 'PENDING_REBOOT',
    createdAt: '2026-11-20T14:10:00.000Z',
    openedAt: '2026-11-20T14:05:00.000Z',
    updatedAt: '2026-11-20T14:10:00.000Z',
    evidenceFingerprint: 'fp-1',
    automationKey: 'NOTIFY|NOTIFIED||',
    severity: 'HIGH',
    archived: false,
    ...overrides,
  };
}

it('keeps one record per node and cause and reads them back for many nodes (BatchGet over 100 keys)', async () => {
  const store = new DynamoFindingStore(table.documentClient, await freshTable());
  const nodes = Array.from({ length: 130 }, (_, index) => `i-${index.toString(16).padStart(17, '0')}`);
  await Promise.all(nodes.slice(0, 3).map((id) => store.save(id, record())));
  expect(await store.save(nodes[0]!, record({ cause: 'MISSING_PATCHES', severity: 'CRITICAL' }))).toBe(true);
  const read = await store.read(nodes);
  expect(read.size).toBe(130);
  expect([...read.get(nodes[0]!)!.keys()].sort()).toEqual(['MISSING_PATCHES', 'PENDING_REBOOT']);
  expect(read.get(nodes[1]!)!.get('PENDING_REBOOT')).toEqual(record());
  expect(read.get(nodes[129]!)!.size).toBe(0);
});

it('a save with an older or equal UpdatedAt loses to the stored one (concurrent imports keep the newer record)', async () => {
  const store = new DynamoFindingStore(table.documentClient, await freshTable());
  const id = 'i-0123456789abcdef0';
  expect(await store.save(id, record({ updatedAt: '2026-11-20T14:10:00.500Z', evidenceFingerprint: 'newer' }))).toBe(true);
  expect(await store.save(id, record({ updatedAt: '2026-11-20T14:10:00.500Z', evidenceFingerprint: 'same time' }))).toBe(false);
  expect(await store.save(id, record({ updatedAt: '2026-11-20T14:10:00.100Z', evidenceFingerprint: 'older' }))).toBe(false);
  expect((await store.read([id])).get(id)?.get('PENDING_REBOOT')?.evidenceFingerprint).toBe('newer');
  expect(await store.save(id, record({ updatedAt: '2026-11-20T14:10:01.000Z', archived: true }))).toBe(true);
  expect((await store.read([id])).get(id)?.get('PENDING_REBOOT')?.archived).toBe(true);
});

it('lives in its own item: the node ledger and the sweep scan do not see it, the TTL follows the last save', async () => {
  const name = await freshTable();
  const store = new DynamoFindingStore(table.documentClient, name);
  const ledger = new DynamoRemediationLedger(table.documentClient, name);
  const id = 'mi-0123456789abcdef0';
  await ledger.recordEvaluation({ instanceId: id, at: new Date('2026-11-20T14:00:00.000Z') });
  await store.save(id, record());
  const node = (await ledger.readNodes([id])).get(id);
  expect(node?.lastEvaluatedAt).toBe('2026-11-20T14:00:00.000Z');
  const page = await new DynamoSweepScanner(table.documentClient, name).scanPage({ pageSize: 50, checkedBefore: '2026-12-01T00:00:00.000Z' });
  expect(page.nodes.map((entry) => entry.instanceId)).toEqual([id]);
  const item = (await table.documentClient.send(new GetCommand({ TableName: name, Key: findingsKey(id) }))).Item;
  expect(item?.['expiresAt']).toBe(Date.parse('2026-11-20T14:10:00.000Z') / 1000 + 90 * 86_400);
});
