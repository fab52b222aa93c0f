/**
 * The findings step inside the triage, end to end: real ledger and finding records (dynalite), real
 * SecurityHubFindingPublisher over the real SDK client against a local Security Hub, real remediator
 * over an aws-sdk-client-mock'ed SSM client. A node that turns non-compliant gets one finding per
 * cause; it is updated when the evidence changes, archived when the node heals or is gone; nothing is
 * imported when nothing changed; Security Hub trouble never fails the triage.
 */
import { SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoFindingStore } from '../../lambdas/adapters/dynamo-finding-store';
import { DynamoRemediationLedger } from '../../lambdas/adapters/dynamo-ledger';
import { createSecurityHubClient, SecurityHubFindingPublisher } from '../../lambdas/adapters/securityhub-publisher';
import { SsmRemediator } from '../../lambdas/adapters/ssm-remediator';
import { DEFAULT_SETTINGS, type AutopilotSettings } from '../../lambdas/domain/settings';
import type { NodeSnapshot } from '../../lambdas/domain/types';
import type { FindingStore } from '../../lambdas/ports/findings';
import type { NodeReadFailure, NodeStateReader, NodeSummary } from '../../lambdas/ports/reading';
import { SecurityHubFindings } from '../../lambdas/usecases/findings';
import { TriageUseCase } from '../../lambdas/usecases/triage';
import { startLedgerTable, type LocalTable } from '../ledger/dynalite';
import { RecordingSink } from '../triage/recording-sink';
import { startFakeSecurityHub, type FakeSecurityHub } from './securityhub-fake';

const ssm = mockClient(SSMClient);
const ssmClient = new SSMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const SCOPE = { account: '111122223333', region: 'eu-west-1' };
const REBOOT_NODE = 'i-0e3b07d5b6f83a4d9'; // examples/pending-reboot.json, tag auto: REBOOT_NODE
const NOTIFY_NODE = 'i-0d2af6c4a5e7293c8'; // examples/failed-patches.json: NOTIFY
const T0 = new Date('2026-11-20T14:10:00.000Z');

function example(name: string, instanceId?: string): NodeSnapshot {
  const snapshot = JSON.parse(readFileSync(join(__dirname, '../../examples', `${name}.json`), 'utf8')) as NodeSnapshot;
  if (!instanceId) return snapshot;
  return JSON.parse(JSON.stringify(snapshot).split(snapshot.instanceId).join(instanceId)) as NodeSnapshot;
}

/** Serves whatever snapshot the test put for a node; a node without one is unknown to SSM. */
class MapReader implements NodeStateReader {
  constructor(public snapshots: Map<string, NodeSnapshot>) {}
  async readSnapshots(instanceIds: string[]) {
    const result = { snapshots: [] as NodeSnapshot[], unknown: [] as string[], failed: [] as NodeReadFailure[], skipped: [] as NodeSummary[] };
    for (const id of instanceIds) {
      const snapshot = this.snapshots.get(id);
      if (snapshot) result.snapshots.push(snapshot);
      else result.unknown.push(id);
    }
    return result;
  }
}

let table: LocalTable;
let hub: FakeSecurityHub;
let tables = 0;
beforeAll(async () => {
  table = await startLedgerTable('triage-findings-0');
});
afterAll(async () => table.close());
beforeEach(async () => {
  hub = await startFakeSecurityHub();
  ssm.reset();
  let commands = 0;
  ssm.on(SendCommandCommand).callsFake(async () => ({ Command: { CommandId: `cmd-${++commands}` } }));
});
afterEach(async () => hub.close());

async function harness(snapshots: NodeSnapshot[], options: { store?: (real: FindingStore) => FindingStore } = {}) {
  tables += 1;
  const tableName = `triage-findings-${tables}`;
  await table.createTable(tableName);
  const settings: AutopilotSettings = { ...DEFAULT_SETTINGS, minNodeAgeMinutes: 0, securityHubFindings: true };
  const clock = { current: T0, now: () => clock.current };
  const sink = new RecordingSink();
  const realStore = new DynamoFindingStore(table.documentClient, tableName);
  const publisher = new SecurityHubFindingPublisher({
    client: createSecurityHubClient({ endpoint: hub.endpoint, region: SCOPE.region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 2 }),
    sink,
    minIntervalMs: 0,
    retryBaseMs: 1,
    unavailableCooldownMs: 0,
  });
  const reader = new MapReader(new Map(snapshots.map((snapshot) => [snapshot.instanceId, snapshot])));
  const triage = new TriageUseCase({
    reader,
    ledger: new DynamoRemediationLedger(table.documentClient, tableName),
    remediator: new SsmRemediator({ client: ssmClient, settings, sink, logGroupName: '/ssm-compliance-autopilot/Test/commands' }),
    calendar: { state: async () => ({ state: 'OPEN' as const }) },
    notifier: {
      notifyDiagnosis: async () => ({ messageId: 'm', subject: 's' }),
      notifyExhausted: async () => ({ messageId: 'm', subject: 's' }),
      notifyDeferred: async () => ({ messageId: 'm', subject: 's' }),
      notifyResolved: async () => ({ messageId: 'm', subject: 's' }),
      notifyCommandFailed: async () => ({ messageId: 'm', subject: 's' }),
    },
    lifecycle: { publish: async (events) => ({ published: events.length, failed: [] }) },
    clock,
    sink,
    settings,
    ownRoleNames: [],
    environment: SCOPE,
    findings: new SecurityHubFindings({ store: options.store ? options.store(realStore) : realStore, publisher, scope: SCOPE, clock, sink }),
  });
  const later = (minutes: number) => {
    clock.current = new Date(clock.current.getTime() + minutes * 60_000);
  };
  return { triage, reader, sink, store: realStore, later };
}

const findingOf = (instanceId: string, cause: string) => hub.findings.get(`ssm-compliance-autopilot/eu-west-1/111122223333/${instanceId}/${cause}`);

it('a node that turns non-compliant gets one finding per cause, stating the command the autopilot sent', async () => {
  const h = await harness([example('pending-reboot')]);
  const result = await h.triage.evaluateNodes([REBOOT_NODE], { source: 'sweep' });
  expect(result.outcomes).toEqual([expect.objectContaining({ instanceId: REBOOT_NODE, kind: 'COMMAND_SENT', commandId: 'cmd-1' })]);
  expect(hub.findings.size).toBe(1);
  expect(findingOf(REBOOT_NODE, 'PENDING_REBOOT')).toMatchObject({
    Compliance: { Status: 'FAILED' },
    RecordState: 'ACTIVE',
    Resources: [{ Type: 'AwsEc2Instance', Id: `arn:aws:ec2:eu-west-1:111122223333:instance/${REBOOT_NODE}` }],
    ProductFields: {
      'ssm-compliance-autopilot/Action': 'REBOOT_NODE',
      'ssm-compliance-autopilot/AutomationState': 'COMMAND_SENT',
      'ssm-compliance-autopilot/CommandId': 'cmd-1',
      'ssm-compliance-autopilot/Attempts': '1',
    },
  });
  expect((await h.store.read([REBOOT_NODE])).get(REBOOT_NODE)?.get('PENDING_REBOOT')).toMatchObject({ archived: false });
});

it('nothing changed: no import; evidence changed: the same Id is updated; healed: archived', async () => {
  const h = await harness([example('failed-patches')]);
  await h.triage.evaluateNodes([NOTIFY_NODE], { source: 'sweep' });
  const created = findingOf(NOTIFY_NODE, 'FAILED_PATCHES');
  expect(created).toMatchObject({ Compliance: { Status: 'FAILED' }, ProductFields: { 'ssm-compliance-autopilot/AutomationState': 'NOTIFIED' } });
  expect(hub.requests).toEqual([1]);

  h.later(30);
  await h.triage.evaluateNodes([NOTIFY_NODE], { source: 'sweep' });
  expect(hub.requests).toEqual([1]);
  expect(h.sink.metric('SecurityHubFindingsImported')).toBe(1);

  h.later(30);
  const changed = example('failed-patches');
  changed.patchState = { ...changed.patchState!, FailedCount: (changed.patchState?.FailedCount ?? 1) + 3 };
  h.reader.snapshots.set(NOTIFY_NODE, changed);
  await h.triage.evaluateNodes([NOTIFY_NODE], { source: 'sweep' });
  const updated = findingOf(NOTIFY_NODE, 'FAILED_PATCHES');
  expect(hub.requests).toEqual([1, 1]);
  expect(updated?.['CreatedAt']).toBe(created?.['CreatedAt']);
  expect(Date.parse(String(updated?.['UpdatedAt']))).toBeGreaterThan(Date.parse(String(created?.['UpdatedAt'])));

  h.later(30);
  h.reader.snapshots.set(NOTIFY_NODE, example('healthy-linux', NOTIFY_NODE));
  const healed = await h.triage.evaluateNodes([NOTIFY_NODE], { source: 'sweep' });
  expect(healed.outcomes[0]?.kind).toBe('COMPLIANT');
  expect(findingOf(NOTIFY_NODE, 'FAILED_PATCHES')).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' }, CreatedAt: created?.['CreatedAt'] });
  h.later(30);
  await h.triage.evaluateNodes([NOTIFY_NODE], { source: 'sweep' });
  expect(hub.requests).toEqual([1, 1, 1]);
});

it('a deregistered node has its open findings archived', async () => {
  const h = await harness([example('failed-patches')]);
  await h.triage.evaluateNodes([NOTIFY_NODE], { source: 'sweep' });
  h.reader.snapshots.delete(NOTIFY_NODE);
  h.later(10);
  const gone = await h.triage.evaluateNodes([NOTIFY_NODE], { source: 'sweep' });
  expect(gone.outcomes).toEqual([{ instanceId: NOTIFY_NODE, kind: 'UNKNOWN' }]);
  expect(findingOf(NOTIFY_NODE, 'FAILED_PATCHES')).toMatchObject({ RecordState: 'ARCHIVED', ProductFields: { 'ssm-compliance-autopilot/AutomationState': 'NODE_DEREGISTERED' } });
});

it('Security Hub not enabled: the triage acts and answers as usual, nothing is recorded, the next evaluation imports once it is', async () => {
  hub.setNotEnabled(true);
  const h = await harness([example('pending-reboot')]);
  const result = await h.triage.evaluateNodes([REBOOT_NODE], { source: 'sweep' });
  expect(result).toEqual({ outcomes: [expect.objectContaining({ kind: 'COMMAND_SENT' })], retry: [] });
  expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
  expect(h.sink.metric('SecurityHubUnavailable')).toBe(1);
  expect((await h.store.read([REBOOT_NODE])).get(REBOOT_NODE)?.size).toBe(0);

  hub.setNotEnabled(false);
  h.later(300);
  await h.triage.evaluateNodes([REBOOT_NODE], { source: 'sweep' });
  // The command is still in flight (SKIPPED); the first import happens at the next evaluation that decides.
  expect(hub.findings.size).toBe(0);
  h.reader.snapshots.set(NOTIFY_NODE, example('failed-patches'));
  await h.triage.evaluateNodes([NOTIFY_NODE], { source: 'sweep' });
  expect(hub.findings.size).toBe(1);
});

it('a failing finding store never fails the triage of the node', async () => {
  const h = await harness([example('failed-patches')], {
    store: () => ({
      read: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
      save: () => Promise.reject(new Error('not reached')),
    }),
  });
  const result = await h.triage.evaluateNodes([NOTIFY_NODE], { source: 'sweep' });
  expect(result).toEqual({ outcomes: [expect.objectContaining({ kind: 'NOTIFIED' })], retry: [] });
  expect(h.sink.metric('SecurityHubStepFailures')).toBe(1);
  expect(hub.requests).toEqual([]);
});
