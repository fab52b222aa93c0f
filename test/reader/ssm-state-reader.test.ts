import {
  DescribeInstanceAssociationsStatusCommand,
  DescribeInstanceInformationCommand,
  type DescribeInstanceInformationCommandInput,
  DescribeInstancePatchesCommand,
  DescribeInstancePatchStatesCommand,
  InvalidInstanceId,
  ListCommandInvocationsCommand,
  ListComplianceItemsCommand,
  ListResourceComplianceSummariesCommand,
  ListTagsForResourceCommand,
  type PatchComplianceDataState,
  SSMClient,
  ThrottlingException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { SsmStateReader } from '../../lambdas/adapters/ssm/reader';
import { summaryFingerprint } from '../../lambdas/adapters/ssm/summary';
import { diagnose } from '../../lambdas/domain/diagnose';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { cleanPatchState, fixedClock, NOW, nodeIds, onlineInfo, sdkPatch } from './fixtures';

/** Real responses spell states `Missing`; the SDK's enum type only knows the model's `MISSING` (AWS-FACTS.md). */
const REAL_MISSING = 'Missing' as PatchComplianceDataState;

const client = new SSMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
const ssm = mockClient(client);

function newReader() {
  return new SsmStateReader({ client, settings: DEFAULT_SETTINGS, clock: fixedClock });
}

const isTagQuery = (input: DescribeInstanceInformationCommandInput) => (input.Filters?.[0]?.Key ?? '').startsWith('tag:');

/** Serves every node in `known` as Online and cleanly scanned unless overridden. */
function serveFleet(
  known: Set<string>,
  options: { dirty?: Set<string>; tagged?: Record<string, string> } = {},
) {
  ssm.on(DescribeInstanceInformationCommand).callsFake((input: DescribeInstanceInformationCommandInput) => {
    if (isTagQuery(input)) {
      const value = input.Filters?.[0]?.Values?.[0];
      const ids = Object.entries(options.tagged ?? {}).filter(([, tagValue]) => tagValue === value).map(([id]) => id);
      return { InstanceInformationList: ids.map((id) => onlineInfo(id)) };
    }
    const ids = input.Filters?.find((filter) => filter.Key === 'InstanceIds')?.Values ?? [];
    return { InstanceInformationList: ids.filter((id) => known.has(id)).map((id) => onlineInfo(id)) };
  });
  ssm.on(DescribeInstancePatchStatesCommand).callsFake((input: { InstanceIds?: string[] }) => ({
    InstancePatchStates: (input.InstanceIds ?? [])
      .filter((id) => known.has(id))
      .map((id) => cleanPatchState(id, options.dirty?.has(id) ? { MissingCount: 2, SecurityNonCompliantCount: 2 } : {})),
  }));
  ssm.on(ListResourceComplianceSummariesCommand).resolves({ ResourceComplianceSummaryItems: [] });
  ssm.on(DescribeInstancePatchesCommand).resolves({
    Patches: [
      { Title: 'openssl-libs.x86_64:1:3.2.2-1.amzn2023.0.2', KBId: 'openssl-libs.x86_64', Classification: 'Security', Severity: 'Critical', State: REAL_MISSING, InstalledTime: new Date(0) },
      { Title: 'sudo.x86_64:0:1.9.15-1.p5.amzn2023.0.2', KBId: 'sudo.x86_64', Classification: 'Security', Severity: 'Important', State: REAL_MISSING, InstalledTime: new Date(0) },
    ],
  });
  ssm.on(DescribeInstanceAssociationsStatusCommand).resolves({ InstanceAssociationStatusInfos: [] });
  ssm.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [] });
  ssm.on(ListComplianceItemsCommand).resolves({ ComplianceItems: [] });
  ssm.on(ListTagsForResourceCommand).resolves({ TagList: [] });
}

const summaryCalls = () => ({
  describeInstanceInformation: ssm
    .commandCalls(DescribeInstanceInformationCommand)
    .filter((call) => !isTagQuery(call.args[0].input)).length,
  describeInstancePatchStates: ssm.commandCalls(DescribeInstancePatchStatesCommand).length,
  listResourceComplianceSummaries: ssm.commandCalls(ListResourceComplianceSummariesCommand).length,
  detail:
    ssm.commandCalls(DescribeInstancePatchesCommand).length +
    ssm.commandCalls(DescribeInstanceAssociationsStatusCommand).length +
    ssm.commandCalls(ListCommandInvocationsCommand).length +
    ssm.commandCalls(ListComplianceItemsCommand).length,
});

beforeEach(() => ssm.reset());

describe('batching', () => {
  test('50 clean nodes are read in a constant number of calls and no detail call', async () => {
    const ids = nodeIds(50);
    serveFleet(new Set(ids));
    const result = await newReader().readSnapshots(ids);
    expect(result.snapshots).toHaveLength(50);
    expect(result.unknown).toEqual([]);
    expect(result.failed).toEqual([]);
    expect(summaryCalls()).toEqual({
      describeInstanceInformation: 1,
      describeInstancePatchStates: 1,
      listResourceComplianceSummaries: 3, // 20 + 20 + 10 InstanceId filter values
      detail: 0,
    });
    // The SSM tag-filter source (no tagging API handed in): one probe with a value nobody carries,
    // then auto | notify | off in three spellings each; independent of the batch.
    const tagQueries = ssm.commandCalls(DescribeInstanceInformationCommand).filter((call) => isTagQuery(call.args[0].input));
    expect(tagQueries).toHaveLength(10);
    expect(diagnose(result.snapshots[0]!, DEFAULT_SETTINGS).compliant).toBe(true);
  });

  test('120 nodes are read in 3 chunks of at most 50', async () => {
    const ids = nodeIds(120);
    serveFleet(new Set(ids));
    const result = await newReader().readSnapshots(ids);
    expect(result.snapshots).toHaveLength(120);
    const chunkSizes = ssm
      .commandCalls(DescribeInstancePatchStatesCommand)
      .map((call) => call.args[0].input.InstanceIds?.length);
    expect(chunkSizes).toEqual([50, 50, 20]);
    expect(summaryCalls()).toMatchObject({ describeInstanceInformation: 3, listResourceComplianceSummaries: 7, detail: 0 });
    for (const call of ssm.commandCalls(ListResourceComplianceSummariesCommand)) {
      expect(call.args[0].input.Filters).toEqual(
        expect.arrayContaining([{ Key: 'Status', Values: ['NON_COMPLIANT'], Type: 'EQUAL' }]),
      );
      expect(call.args[0].input.Filters?.[0]?.Values?.length).toBeLessThanOrEqual(20);
    }
  });

  test('duplicate IDs are read once', async () => {
    const [id] = nodeIds(1);
    serveFleet(new Set([id!]));
    const result = await newReader().readSnapshots([id!, id!, id!]);
    expect(result.snapshots).toHaveLength(1);
  });
});

describe('pagination', () => {
  test('summary pages and detail pages are all followed', async () => {
    const ids = nodeIds(3);
    serveFleet(new Set(ids));
    ssm
      .on(DescribeInstancePatchStatesCommand)
      .resolvesOnce({ InstancePatchStates: [cleanPatchState(ids[0]!, { MissingCount: 3 })], NextToken: 'page-2' })
      .resolvesOnce({ InstancePatchStates: [cleanPatchState(ids[1]!), cleanPatchState(ids[2]!)] });
    ssm
      .on(DescribeInstancePatchesCommand)
      .resolvesOnce({ Patches: [sdkPatch('a.x86_64', 'Missing')], NextToken: 'p2' })
      .resolvesOnce({ Patches: [sdkPatch('b.x86_64', 'Missing'), sdkPatch('c.x86_64', 'Missing')] });
    const result = await newReader().readSnapshots(ids);
    const statesCalls = ssm.commandCalls(DescribeInstancePatchStatesCommand);
    expect(statesCalls.map((call) => call.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
    const dirty = result.snapshots.find((snapshot) => snapshot.instanceId === ids[0]);
    expect(dirty?.patches?.map((patch) => patch.KBId)).toEqual(['a.x86_64', 'b.x86_64', 'c.x86_64']);
    expect(ssm.commandCalls(DescribeInstancePatchesCommand)[1]?.args[0].input).toMatchObject({ NextToken: 'p2', MaxResults: 50 });
    expect(result.snapshots).toHaveLength(3);
  });
});

describe('detail only for dirty nodes', () => {
  test('one dirty node out of 10 gets the detail calls, with the right filters', async () => {
    const ids = nodeIds(10);
    const dirtyId = ids[4]!;
    serveFleet(new Set(ids), { dirty: new Set([dirtyId]) });
    const result = await newReader().readSnapshots(ids);

    const patchCalls = ssm.commandCalls(DescribeInstancePatchesCommand);
    expect(patchCalls).toHaveLength(1);
    expect(patchCalls[0]?.args[0].input).toMatchObject({
      InstanceId: dirtyId,
      Filters: [{ Key: 'State', Values: expect.arrayContaining(['Missing', 'Failed', 'InstalledPendingReboot', 'InstalledRejected']) }],
    });
    // Every association signal of the summary says Success: the statuses cannot add a cause (detail-plan.ts).
    expect(ssm.commandCalls(DescribeInstanceAssociationsStatusCommand)).toHaveLength(0);
    const commandCalls = ssm.commandCalls(ListCommandInvocationsCommand);
    expect(commandCalls).toHaveLength(1);
    expect(commandCalls[0]?.args[0].input).toMatchObject({
      InstanceId: dirtyId,
      Filters: [
        { key: 'DocumentName', value: 'AWS-RunPatchBaseline' },
        { key: 'InvokedAfter', value: '2026-11-20T02:11:00Z' },
      ],
    });
    // No non-Patch compliance type is non-compliant: ListComplianceItems is not needed.
    expect(ssm.commandCalls(ListComplianceItemsCommand)).toHaveLength(0);

    const snapshot = result.snapshots.find((entry) => entry.instanceId === dirtyId)!;
    expect(snapshot.patchState?.OperationEndTime).toBe('2026-11-20T02:11:00.000Z');
    expect(snapshot.instanceInformation?.LastPingDateTime).toBe('2026-11-20T13:59:00.000Z');
    expect(snapshot.patches?.[0]?.InstalledTime).toBe('1970-01-01T00:00:00.000Z');
    expect(snapshot.deferredDetail).toEqual(['associationStatuses']);
    expect(snapshot.capturedAt).toBe(NOW.toISOString());
    expect(snapshot.region).toBe('eu-west-1');
    const diagnosis = diagnose(snapshot, DEFAULT_SETTINGS);
    expect(diagnosis.causes.map((cause) => [cause.code, cause.severity])).toEqual([['MISSING_PATCHES', 'CRITICAL']]);
  });

  test('a non-compliant Custom type triggers ListComplianceItems for that node only, without Patch items', async () => {
    const ids = nodeIds(2);
    serveFleet(new Set(ids));
    ssm.on(ListResourceComplianceSummariesCommand).resolves({
      ResourceComplianceSummaryItems: [
        { ComplianceType: 'Custom:CIS', ResourceId: ids[1], ResourceType: 'ManagedInstance', Status: 'NON_COMPLIANT', OverallSeverity: 'HIGH' },
      ],
    });
    ssm.on(ListComplianceItemsCommand).resolves({
      ComplianceItems: [{ ComplianceType: 'Custom:CIS', ResourceId: ids[1], Id: 'sshd-root', Title: 'Disable root SSH', Status: 'NON_COMPLIANT', Severity: 'HIGH' }],
    });
    const result = await newReader().readSnapshots(ids);
    const calls = ssm.commandCalls(ListComplianceItemsCommand);
    expect(calls.map((call) => call.args[0].input)).toEqual([
      expect.objectContaining({
        ResourceIds: [ids[1]],
        ResourceTypes: ['ManagedInstance'],
        Filters: [
          { Key: 'Status', Values: ['NON_COMPLIANT'], Type: 'EQUAL' },
          { Key: 'ComplianceType', Values: ['Patch'], Type: 'NOT_EQUAL' },
        ],
      }),
    ]);
    const snapshot = result.snapshots.find((entry) => entry.instanceId === ids[1])!;
    expect(diagnose(snapshot, DEFAULT_SETTINGS).causes.map((cause) => cause.code)).toEqual(['CUSTOM_NONCOMPLIANT']);
  });

  test('detail "always" reads the detail of clean nodes too (the CLI)', async () => {
    const ids = nodeIds(2);
    serveFleet(new Set(ids));
    const reader = new SsmStateReader({ client, settings: DEFAULT_SETTINGS, clock: fixedClock, detail: 'always' });
    const result = await reader.readSnapshots(ids);
    expect(ssm.commandCalls(DescribeInstanceAssociationsStatusCommand)).toHaveLength(2);
    expect(ssm.commandCalls(ListCommandInvocationsCommand)).toHaveLength(2);
    // Nothing to list: no patch in a non-installed state, no non-Patch compliance type.
    expect(ssm.commandCalls(DescribeInstancePatchesCommand)).toHaveLength(0);
    expect(result.snapshots.every((snapshot) => Array.isArray(snapshot.commandInvocations))).toBe(true);
  });

  test('needsDetail=false skips the node with its summary and fingerprint', async () => {
    const ids = nodeIds(3);
    serveFleet(new Set(ids), { dirty: new Set(ids) });
    const result = await newReader().readSnapshots(ids, { needsDetail: (summary) => summary.instanceId !== ids[0] });
    expect(result.skipped.map((summary) => summary.instanceId)).toEqual([ids[0]]);
    expect(result.skipped[0]?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(result.snapshots.map((snapshot) => snapshot.instanceId).sort()).toEqual([ids[1], ids[2]].sort());
    expect(ssm.commandCalls(DescribeInstancePatchesCommand)).toHaveLength(2);
  });
});

test('a rejected State filter falls back to the unfiltered list, filtered by normalised state', async () => {
  const ids = nodeIds(1);
  serveFleet(new Set(ids), { dirty: new Set(ids) });
  const rejected = Object.assign(new Error('State value is not valid'), { name: 'InvalidFilter' });
  ssm.on(DescribeInstancePatchesCommand).rejects(rejected);
  ssm.on(DescribeInstancePatchesCommand, { Filters: undefined }).resolves({
    Patches: [
      sdkPatch('kernel.x86_64', 'INSTALLED'),
      sdkPatch('sudo.x86_64', 'Missing'),
    ],
  });
  const result = await newReader().readSnapshots(ids);
  expect(result.snapshots[0]?.patches?.map((patch) => patch.KBId)).toEqual(['sudo.x86_64']);
});

describe('unknown and failed nodes', () => {
  test('a node missing from both batched calls is unknown; a malformed ID is unknown without any call for it', async () => {
    const ids = nodeIds(3);
    serveFleet(new Set([ids[0]!, ids[1]!]));
    const result = await newReader().readSnapshots([...ids, 'not-an-instance']);
    expect(result.unknown.sort()).toEqual([ids[2], 'not-an-instance'].sort());
    expect(result.snapshots).toHaveLength(2);
    for (const call of ssm.commandCalls(DescribeInstancePatchStatesCommand)) {
      expect(call.args[0].input.InstanceIds).not.toContain('not-an-instance');
    }
  });

  test('a node known only by its patch state is read (instanceInformation null -> NODE_UNREACHABLE)', async () => {
    const [gone, alive] = nodeIds(2);
    serveFleet(new Set([alive!]));
    ssm.on(DescribeInstancePatchStatesCommand).resolves({ InstancePatchStates: [cleanPatchState(gone!), cleanPatchState(alive!)] });
    const result = await newReader().readSnapshots([gone!, alive!]);
    const snapshot = result.snapshots.find((entry) => entry.instanceId === gone)!;
    expect(snapshot.instanceInformation).toBeNull();
    expect(diagnose(snapshot, DEFAULT_SETTINGS).causes.map((cause) => cause.code)).toEqual(['NODE_UNREACHABLE']);
  });

  test('InvalidInstanceId on a batched call falls back per node: the bad node is unknown, the others are read', async () => {
    const ids = nodeIds(4);
    const bad = ids[2]!;
    serveFleet(new Set(ids.filter((id) => id !== bad)));
    const invalid = () => new InvalidInstanceId({ message: 'Instances [[' + bad + ']] not in a valid state for account', $metadata: {} });
    ssm.on(DescribeInstanceInformationCommand).callsFake((input: DescribeInstanceInformationCommandInput) => {
      if (isTagQuery(input)) return { InstanceInformationList: [] };
      const requested = input.Filters?.[0]?.Values ?? [];
      if (requested.includes(bad)) throw invalid();
      return { InstanceInformationList: requested.map((id) => onlineInfo(id)) };
    });
    const result = await newReader().readSnapshots(ids);
    expect(result.unknown).toEqual([bad]);
    expect(result.snapshots.map((snapshot) => snapshot.instanceId).sort()).toEqual(ids.filter((id) => id !== bad).sort());
  });

  test('InvalidInstanceId on a detail call makes only that node unknown', async () => {
    const ids = nodeIds(3);
    serveFleet(new Set(ids), { dirty: new Set(ids) });
    ssm
      .on(ListCommandInvocationsCommand, { InstanceId: ids[1] })
      .rejects(new InvalidInstanceId({ message: 'gone', $metadata: {} }));
    const result = await newReader().readSnapshots(ids);
    expect(result.unknown).toEqual([ids[1]]);
    expect(result.snapshots).toHaveLength(2);
  });

  test('throttling that outlived the retries puts the chunk in failed, retryable; other chunks are unaffected', async () => {
    const ids = nodeIds(60);
    serveFleet(new Set(ids));
    ssm
      .on(DescribeInstancePatchStatesCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }))
      .callsFake((input: { InstanceIds?: string[] }) => ({ InstancePatchStates: (input.InstanceIds ?? []).map((id) => cleanPatchState(id)) }));
    const result = await newReader().readSnapshots(ids);
    expect(result.failed).toHaveLength(50);
    expect(result.failed.every((failure) => failure.retryable)).toBe(true);
    expect(result.failed[0]?.error).toMatch(/ThrottlingException: Rate exceeded/);
    expect(result.snapshots).toHaveLength(10);
    expect(result.failed.length + result.snapshots.length + result.unknown.length).toBe(60);
  });

  test('AccessDenied is a failure that a retry will not fix', async () => {
    const ids = nodeIds(2);
    serveFleet(new Set(ids), { dirty: new Set([ids[0]!]) });
    const denied = Object.assign(new Error('not authorized to perform ssm:DescribeInstancePatches'), { name: 'AccessDeniedException' });
    ssm.on(DescribeInstancePatchesCommand).rejects(denied);
    const result = await newReader().readSnapshots(ids);
    expect(result.failed).toEqual([
      { instanceId: ids[0], error: expect.stringContaining('AccessDeniedException'), retryable: false },
    ]);
    expect(result.snapshots.map((snapshot) => snapshot.instanceId)).toEqual([ids[1]]);
  });
});

describe('tags', () => {
  test('without the tagging API: the scope tag of i- nodes from the SSM tag filter, all tags of mi- nodes from ListTagsForResource', async () => {
    const [ec2Node] = nodeIds(1);
    const hybridNode = 'mi-0b3c5d7e9f1a2b4c6';
    serveFleet(new Set([ec2Node!, hybridNode]), { dirty: new Set([hybridNode]), tagged: { [ec2Node!]: 'auto', [hybridNode]: 'off' } });
    ssm.on(ListTagsForResourceCommand).resolves({ TagList: [{ Key: 'Name', Value: 'dc1-app-07' }, { Key: 'ComplianceAutopilot', Value: 'off' }] });
    const reader = newReader();
    const result = await reader.readSnapshots([ec2Node!, hybridNode]);
    const byId = new Map(result.snapshots.map((snapshot) => [snapshot.instanceId, snapshot]));
    expect(byId.get(ec2Node!)?.tags).toEqual({ ComplianceAutopilot: 'auto' });
    expect(byId.get(hybridNode)?.tags).toEqual({ Name: 'dc1-app-07', ComplianceAutopilot: 'off' });
    expect(ssm.commandCalls(ListTagsForResourceCommand).map((call) => call.args[0].input)).toEqual([
      { ResourceType: 'ManagedInstance', ResourceId: hybridNode },
    ]);
    const tagFilters = ssm
      .commandCalls(DescribeInstanceInformationCommand)
      .filter((call) => isTagQuery(call.args[0].input))
      .map((call) => call.args[0].input.Filters);
    expect(tagFilters.slice(1)).toEqual(
      ['auto', 'Auto', 'AUTO', 'notify', 'Notify', 'NOTIFY', 'off', 'Off', 'OFF'].map((value) => [{ Key: 'tag:ComplianceAutopilot', Values: [value] }]),
    );
    // The index is reused by the next read of the same reader (one CLI run).
    await reader.readSnapshots([ec2Node!]);
    expect(ssm.commandCalls(DescribeInstanceInformationCommand).filter((call) => isTagQuery(call.args[0].input))).toHaveLength(10);
  });

  test('if the tag index cannot be read, every node fails retryably (never act without the scope tag)', async () => {
    const ids = nodeIds(2);
    serveFleet(new Set(ids));
    ssm.on(DescribeInstanceInformationCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: {} }));
    const result = await newReader().readSnapshots(ids);
    expect(result.failed.map((failure) => [failure.instanceId, failure.retryable])).toEqual(ids.map((id) => [id, true]));
  });
});

describe('fingerprint', () => {
  const base = {
    instanceId: 'i-0123456789abcdef0',
    instanceInformation: { InstanceId: 'i-0123456789abcdef0', PingStatus: 'Online', LastPingDateTime: '2026-11-20T13:59:00.000Z' },
    patchState: { InstanceId: 'i-0123456789abcdef0', MissingCount: 0, OperationEndTime: '2026-11-20T02:11:00.000Z' },
    nonCompliantSummaries: [],
    tags: { ComplianceAutopilot: 'auto' },
  };

  test('ignores the ping time, follows what matters', () => {
    const fingerprint = summaryFingerprint(base);
    expect(summaryFingerprint({ ...base, instanceInformation: { ...base.instanceInformation, LastPingDateTime: '2026-11-20T14:04:00.000Z' } })).toBe(fingerprint);
    expect(summaryFingerprint({ ...base, patchState: { ...base.patchState, MissingCount: 1 } })).not.toBe(fingerprint);
    // A patch run that found the same counts: new times and snapshot, same fingerprint.
    expect(summaryFingerprint({ ...base, patchState: { ...base.patchState, OperationStartTime: '2026-11-21T02:10:00.000Z', OperationEndTime: '2026-11-21T02:11:30.000Z', SnapshotId: 'b1c2d3e4-0000-4000-8000-000000000001' } })).toBe(fingerprint);
    expect(summaryFingerprint({ ...base, patchState: { ...base.patchState, Operation: 'Install' } })).not.toBe(fingerprint);
    expect(summaryFingerprint({ ...base, instanceInformation: { ...base.instanceInformation, PingStatus: 'ConnectionLost' } })).not.toBe(fingerprint);
    expect(summaryFingerprint({ ...base, tags: { ComplianceAutopilot: 'off' } })).not.toBe(fingerprint);
  });
});
