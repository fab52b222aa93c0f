/**
 * The fake AWS server must speak the wire protocols well enough for the REAL adapters: the SSM state
 * reader over it must see every seeded cause exactly as the classifier expects (the simulation's
 * ground truth), throttling must surface as ThrottlingException, SNS and EventBridge replies must parse.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeInstancePatchStatesCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { createSsmClient } from '../../lambdas/adapters/ssm-client';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { TaggingApiTagSource } from '../../lambdas/adapters/ssm/node-tags';
import { SsmStateReader } from '../../lambdas/adapters/ssm/reader';
import { nodeModeOf } from '../../lambdas/domain/policy/plan';
import { diagnose } from '../../lambdas/domain/diagnose';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { CAUSE_CODES } from '../../lambdas/domain/types';
import { startFakeAws, type FakeAwsServer } from '../../sim/aws-fake/server';
import { FakeAws } from '../../sim/aws-fake/state';
import { buildFleet, causesPresent, seededRandom, type SimNode } from '../../sim/fleet';

const START = Date.parse('2026-11-21T00:00:00Z');
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
let fleet: SimNode[];
let fake: FakeAws;
let server: FakeAwsServer;
let now = START + 3_600_000;

beforeAll(async () => {
  fleet = buildFleet({ nodes: 400, seed: 11, startMs: START, tagKey: DEFAULT_SETTINGS.tagKey });
  fake = new FakeAws({
    nodes: fleet,
    now: () => now,
    tagKey: DEFAULT_SETTINGS.tagKey,
    defaultNodeMode: DEFAULT_SETTINGS.defaultNodeMode,
    random: seededRandom(3),
    snsFailureRate: 0,
    alertRepeatHours: 24,
    installMinutes: () => 10,
  });
  server = await startFakeAws(fake, { rateLimit: { ratePerSecond: 10_000, burst: 10_000 } });
});

afterAll(() => server.close());

test('the fleet is deterministic per seed and covers every cause code', () => {
  const again = buildFleet({ nodes: 400, seed: 11, startMs: START, tagKey: DEFAULT_SETTINGS.tagKey });
  expect(again.map((node) => node.instanceId)).toEqual(fleet.map((node) => node.instanceId));
  expect(causesPresent(buildFleet({ nodes: 2000, seed: 7, startMs: START, tagKey: 'x' }))).toEqual([...CAUSE_CODES]);
  expect(fleet.some((node) => node.instanceId.startsWith('mi-'))).toBe(true);
});

test('the real reader + classifier over the fake wire find each node’s seeded cause', async () => {
  const client = createSsmClient({ endpoint: server.endpoint, region: 'eu-west-1', credentials });
  // detail 'always': this test checks the wire fidelity of every detail call. (In the pipeline's
  // dirty-only mode a PATCH_OPERATION_FAILED node with a clean summary gets no detail read.)
  const clock = { now: () => new Date(now) };
  const tags = new TaggingApiTagSource({
    tagging: new ResourceGroupsTaggingAPIClient({ endpoint: server.endpoint, region: 'eu-west-1', credentials }),
    ssm: client,
    region: async () => 'eu-west-1',
    account: async () => '123456789012',
    clock,
    ttlMs: 15 * 60_000,
  });
  const reader = new SsmStateReader({ client, settings: DEFAULT_SETTINGS, clock, detail: 'always', tags });
  const result = await reader.readSnapshots(fleet.map((node) => node.instanceId));
  expect(result.failed).toEqual([]);
  expect(result.unknown).toEqual([]);
  const mismatches: string[] = [];
  for (const snapshot of result.snapshots) {
    const node = fleet.find((candidate) => candidate.instanceId === snapshot.instanceId)!;
    const codes = diagnose(snapshot, DEFAULT_SETTINGS).causes.map((cause) => cause.code);
    const expected = node.seededCause ? [node.seededCause] : [];
    if (JSON.stringify(codes) !== JSON.stringify(expected)) mismatches.push(`${node.instanceId} seeded ${node.seededCause} got ${codes.join(',')}`);
    // Tags as the account wrote them (`Off`, ` auto`...), Name included; the policy reads them trimmed, any case.
    expect(snapshot.tags).toEqual(node.tags);
    expect(nodeModeOf(snapshot.tags ?? {}, DEFAULT_SETTINGS)).toBe(node.scopeTag ?? DEFAULT_SETTINGS.defaultNodeMode);
  }
  expect(mismatches).toEqual([]);
  expect(result.snapshots).toHaveLength(fleet.length);
  client.destroy();
});

test('a deregistered node answers InvalidInstanceId and the reader reports it unknown', async () => {
  const client = createSsmClient({ endpoint: server.endpoint, region: 'eu-west-1', credentials });
  const reader = new SsmStateReader({ client, settings: DEFAULT_SETTINGS, clock: { now: () => new Date(now) } });
  const gone = fleet[5]!;
  gone.deregistered = true;
  const result = await reader.readSnapshots([gone.instanceId, fleet[6]!.instanceId]);
  gone.deregistered = false;
  expect(result.unknown).toEqual([gone.instanceId]);
  expect(result.snapshots.map((snapshot) => snapshot.instanceId)).toEqual([fleet[6]!.instanceId]);
  client.destroy();
});

test('SendCommand is recorded on the AWS side: a second command while one is in flight is a duplicate', async () => {
  const client = createSsmClient({ endpoint: server.endpoint, region: 'eu-west-1', credentials });
  const node = fleet.find((candidate) => candidate.seededCause === 'MISSING_PATCHES' && candidate.scopeTag === 'auto')!;
  const send = () =>
    client.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunPatchBaseline',
        InstanceIds: [node.instanceId],
        Parameters: { Operation: ['Install'], RebootOption: ['RebootIfNeeded'] },
      }),
    );
  const first = await send();
  expect(first.Command?.CommandId).toMatch(/^[0-9a-f-]{36}$/);
  expect(first.Command?.RequestedDateTime).toEqual(new Date(now));
  await send();
  expect(fake.counters.duplicateCommands).toBe(1);
  now += 30 * 60_000;
  const finished = fake.completeDueCommands(now);
  expect(finished.map((command) => command.status)).toEqual(['Success']);
  expect(node.snapshot.patchState?.MissingCount).toBe(0);
  client.destroy();
});

test('above the rate limit SSM answers ThrottlingException and counts it', async () => {
  const tight = await startFakeAws(fake, { rateLimit: { ratePerSecond: 1, burst: 2 } });
  const client = createSsmClient({ endpoint: tight.endpoint, region: 'eu-west-1', credentials, maxAttempts: 1 });
  const before = fake.counters.throttledCalls;
  const calls = Array.from({ length: 5 }, () => client.send(new DescribeInstancePatchStatesCommand({ InstanceIds: [fleet[0]!.instanceId] })));
  const results = await Promise.allSettled(calls);
  const throttled = results.filter((result) => result.status === 'rejected' && (result.reason as Error).name === 'ThrottlingException');
  expect(throttled.length).toBeGreaterThanOrEqual(3);
  expect(fake.counters.throttledCalls - before).toBe(throttled.length);
  client.destroy();
  await tight.close();
});

test('SNS Publish (query/XML) and EventBridge PutEvents replies parse with the real clients', async () => {
  const sns = new SNSClient({ endpoint: server.endpoint, region: 'eu-west-1', credentials });
  const published = await sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:111122223333:t', Subject: 's', Message: 'm' }));
  expect(published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
  await sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:111122223333:t', Subject: 's', Message: 'm' }));
  expect(fake.counters.duplicateAlerts).toBe(1);
  const bridge = new EventBridgeClient({ endpoint: server.endpoint, region: 'eu-west-1', credentials });
  const put = await bridge.send(new PutEventsCommand({ Entries: [{ Source: 'autopilot', DetailType: 'x', Detail: '{}' }] }));
  expect(put.FailedEntryCount).toBe(0);
  expect(put.Entries).toHaveLength(1);
  sns.destroy();
  bridge.destroy();
});
