/**
 * The scope tag index shared between Lambda containers through the ledger table (dynalite), and the
 * reader's use of it: one SSM build per `scopeTagCacheMinutes` for the account, not per container.
 */
import {
  DescribeInstanceInformationCommand,
  type DescribeInstanceInformationCommandInput,
  DescribeInstancePatchStatesCommand,
  ListResourceComplianceSummariesCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoScopeTagIndexStore, PART_NODES } from '../../lambdas/adapters/dynamo-tag-index';
import { SsmStateReader } from '../../lambdas/adapters/ssm/reader';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { startLedgerTable, type LocalTable } from '../ledger/dynalite';
import { RecordingSink } from '../triage/recording-sink';
import { cleanPatchState, NOW, nodeIds, onlineInfo } from './fixtures';

const client = new SSMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
const ssm = mockClient(client);
const TTL_MINUTES = DEFAULT_SETTINGS.scopeTagCacheMinutes;

let table: LocalTable;
let tables = 0;
beforeAll(async () => {
  table = await startLedgerTable('tag-index-0');
});
afterAll(async () => table.close());
beforeEach(() => ssm.reset());

async function freshStore(): Promise<DynamoScopeTagIndexStore> {
  tables += 1;
  await table.createTable(`tag-index-${tables}`);
  return new DynamoScopeTagIndexStore(table.documentClient, `tag-index-${tables}`);
}

const isTagQuery = (input: DescribeInstanceInformationCommandInput) => (input.Filters?.[0]?.Key ?? '').startsWith('tag:');
const tagQueries = () => ssm.commandCalls(DescribeInstanceInformationCommand).filter((call) => isTagQuery(call.args[0].input)).length;

function serve(known: string[], tagged: Record<string, string>) {
  ssm.on(DescribeInstanceInformationCommand).callsFake((input: DescribeInstanceInformationCommandInput) => {
    if (isTagQuery(input)) {
      const value = input.Filters?.[0]?.Values?.[0];
      return { InstanceInformationList: Object.entries(tagged).filter(([, v]) => v === value).map(([id]) => onlineInfo(id)) };
    }
    const ids = input.Filters?.find((filter) => filter.Key === 'InstanceIds')?.Values ?? [];
    return { InstanceInformationList: ids.filter((id) => known.includes(id)).map((id) => onlineInfo(id)) };
  });
  ssm.on(DescribeInstancePatchStatesCommand).callsFake((input: { InstanceIds?: string[] }) => ({
    InstancePatchStates: (input.InstanceIds ?? []).filter((id) => known.includes(id)).map((id) => cleanPatchState(id)),
  }));
  ssm.on(ListResourceComplianceSummariesCommand).resolves({ ResourceComplianceSummaryItems: [] });
}

function container(store: DynamoScopeTagIndexStore | undefined, clock: { now: () => Date }, sink = new RecordingSink()) {
  return new SsmStateReader({ client, settings: DEFAULT_SETTINGS, clock, ...(store ? { tagIndexStore: store } : {}), sink });
}

describe('DynamoScopeTagIndexStore', () => {
  test('saves an index larger than one item and loads it back whole', async () => {
    const store = await freshStore();
    expect(await store.load()).toBeNull();
    const values = ['auto', 'notify', 'off'];
    const valueByNode = new Map(nodeIds(PART_NODES + 1_500).map((id, index) => [id, values[index % 3]!]));
    await store.save({ builtAt: NOW.toISOString(), valueByNode });
    const loaded = await store.load();
    expect(loaded?.builtAt).toBe(NOW.toISOString());
    expect(loaded?.valueByNode).toEqual(valueByNode);
  });

  test('an older index saved late does not replace a newer one', async () => {
    const store = await freshStore();
    const later = new Date(NOW.getTime() + 60_000).toISOString();
    await store.save({ builtAt: later, valueByNode: new Map([['i-0aa00000000000001', 'off']]) });
    await store.save({ builtAt: NOW.toISOString(), valueByNode: new Map([['i-0aa00000000000001', 'auto']]) });
    const loaded = await store.load();
    expect(loaded).toEqual({ builtAt: later, valueByNode: new Map([['i-0aa00000000000001', 'off']]) });
  });

  test('one container at a time may rebuild: the claim holds until it expires or the index is saved', async () => {
    const store = await freshStore();
    const until = new Date(NOW.getTime() + 5 * 60_000);
    expect(await store.claimRefresh(NOW, until)).toBe(true);
    expect(await store.claimRefresh(new Date(NOW.getTime() + 60_000), until)).toBe(false);
    expect(await store.claimRefresh(new Date(until.getTime() + 1), new Date(until.getTime() + 5 * 60_000))).toBe(true);
    await store.save({ builtAt: NOW.toISOString(), valueByNode: new Map() });
    expect(await store.claimRefresh(new Date(until.getTime() + 2), new Date(until.getTime() + 10 * 60_000))).toBe(true);
  });
});

describe('reader with a shared index', () => {
  const ids = nodeIds(3);
  const tagged = { [ids[0]!]: 'auto', [ids[1]!]: 'off' };

  test('a second container uses the index the first one built: no SSM tag calls of its own', async () => {
    serve(ids, tagged);
    const store = await freshStore();
    const clock = { current: NOW, now: () => clock.current };
    const first = container(store, clock);
    await first.readSnapshots(ids);
    expect(tagQueries()).toBe(3);

    const second = container(store, clock);
    const result = await second.readSnapshots(ids);
    expect(tagQueries()).toBe(3);
    expect(result.skipped.length + result.snapshots.length).toBe(3);

    // Past the TTL: exactly one container rebuilds it, the other reads the new one.
    clock.current = new Date(NOW.getTime() + (TTL_MINUTES + 1) * 60_000);
    await second.readSnapshots(ids);
    expect(tagQueries()).toBe(6);
    await first.readSnapshots(ids);
    expect(tagQueries()).toBe(6);
  });

  test('the shared index carries the tags each container decides with', async () => {
    serve(ids, tagged);
    const store = await freshStore();
    await container(store, { now: () => NOW }).readSnapshots(ids);
    const other = container(store, { now: () => NOW });
    const summaries: Record<string, Record<string, string>> = {};
    await other.readSnapshots(ids, {
      needsDetail: (summary) => {
        summaries[summary.instanceId] = summary.tags;
        return false;
      },
    });
    expect(summaries).toEqual({ [ids[0]!]: { ComplianceAutopilot: 'auto' }, [ids[1]!]: { ComplianceAutopilot: 'off' }, [ids[2]!]: {} });
  });

  test('while another container holds the rebuild, a stale index is used for at most one more TTL', async () => {
    serve(ids, tagged);
    const store = await freshStore();
    await container(store, { now: () => NOW }).readSnapshots(ids);
    expect(tagQueries()).toBe(3);
    const stale = new Date(NOW.getTime() + (TTL_MINUTES + 1) * 60_000);
    // Another container claimed the rebuild and has not saved yet.
    expect(await store.claimRefresh(stale, new Date(stale.getTime() + 60 * 60_000))).toBe(true);
    const clock = { current: stale, now: () => clock.current };
    const waiting = container(store, clock);
    await waiting.readSnapshots(ids);
    expect(tagQueries()).toBe(3);
    // Two TTLs after the build, with no new index saved, it builds its own rather than act on an old one.
    clock.current = new Date(NOW.getTime() + (2 * TTL_MINUTES + 1) * 60_000);
    await waiting.readSnapshots(ids);
    expect(tagQueries()).toBe(6);
  });

  test('an unreadable store is logged and counted, and the container builds the index from SSM', async () => {
    serve(ids, tagged);
    const missingTable = new DynamoScopeTagIndexStore(table.documentClient, 'no-such-table');
    const sink = new RecordingSink();
    const result = await container(missingTable, { now: () => NOW }, sink).readSnapshots(ids);
    expect(result.failed).toEqual([]);
    expect(tagQueries()).toBe(3);
    expect(sink.metric('TagIndexStoreFailures')).toBe(1);
    expect(sink.lines.find((line) => line.level === 'warn')?.message).toMatch(/shared scope tag index unreadable/);
  });
});
