/**
 * The reader's side of domain/detail-plan.ts: which detail calls a summary and a DetailRequest defer,
 * the cross-check that reads the association statuses after all, `completeSnapshot`, and the halving
 * unknown-node fallback. Calls counted on the SDK client (aws-sdk-client-mock).
 */
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
  SSMClient,
  type InstanceInformation,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { SsmStateReader } from '../../lambdas/adapters/ssm/reader';
import type { NodeTagSource } from '../../lambdas/adapters/ssm/node-tags';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { cleanPatchState, fixedClock, nodeIds, onlineInfo } from './fixtures';

const client = new SSMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
const ssm = mockClient(client);

class CountingTags implements NodeTagSource {
  readonly asked: string[][] = [];
  async tagsOf(ids: readonly string[]) {
    this.asked.push([...ids]);
    return new Map(ids.map((id) => [id, { Name: `web-${id.slice(-2)}`, AutoPatch: 'auto' }]));
  }
}

function reader(tags = new CountingTags()) {
  return { tags, reader: new SsmStateReader({ client, settings: DEFAULT_SETTINGS, clock: fixedClock, tags }) };
}

/** Every node Online; `dirty` ones miss patches; `info` overrides per node. */
function serve(ids: string[], options: { dirty?: string[]; info?: Record<string, Partial<InstanceInformation>>; associationItem?: string } = {}) {
  ssm.on(DescribeInstanceInformationCommand).callsFake((input: DescribeInstanceInformationCommandInput) => {
    const wanted = input.Filters?.find((filter) => filter.Key === 'InstanceIds')?.Values ?? [];
    return { InstanceInformationList: wanted.filter((id) => ids.includes(id)).map((id) => onlineInfo(id, options.info?.[id] ?? {})) };
  });
  ssm.on(DescribeInstancePatchStatesCommand).callsFake((input: { InstanceIds?: string[] }) => ({
    InstancePatchStates: (input.InstanceIds ?? []).map((id) => cleanPatchState(id, options.dirty?.includes(id) ? { MissingCount: 1 } : {})),
  }));
  ssm.on(ListResourceComplianceSummariesCommand).resolves({
    ResourceComplianceSummaryItems: options.associationItem
      ? ids.map((id) => ({ ResourceId: id, ResourceType: 'ManagedInstance', ComplianceType: 'Association', Status: 'NON_COMPLIANT' }))
      : [],
  });
  ssm.on(DescribeInstancePatchesCommand).resolves({ Patches: [] });
  ssm.on(DescribeInstanceAssociationsStatusCommand).resolves({ InstanceAssociationStatusInfos: [{ AssociationId: 'a-1', Name: 'AmazonCloudWatch-ManageAgent', Status: 'Failed' }] });
  ssm.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [] });
  ssm.on(ListComplianceItemsCommand).resolves({
    ComplianceItems: options.associationItem
      ? [{ ComplianceType: 'Association', Status: 'NON_COMPLIANT', Id: 'a-1', ResourceId: ids[0], ResourceType: 'ManagedInstance', Details: { DocumentName: options.associationItem } }]
      : [],
  });
}

const calls = (command: Parameters<typeof ssm.commandCalls>[0]) => ssm.commandCalls(command).length;

beforeEach(() => ssm.reset());

describe('association statuses follow the summary', () => {
  test('roll-up Success: deferred; Failed / Pending / a newer failed run: read', async () => {
    const ids = nodeIds(4);
    serve(ids, {
      dirty: ids,
      info: {
        [ids[1]!]: { AssociationStatus: 'Failed' },
        [ids[2]!]: { AssociationStatus: 'Pending' },
        [ids[3]!]: { LastAssociationExecutionDate: new Date('2026-11-20T13:45:00Z'), LastSuccessfulAssociationExecutionDate: new Date('2026-11-20T13:15:00Z') },
      },
    });
    const result = await reader().reader.readSnapshots(ids);
    expect(ssm.commandCalls(DescribeInstanceAssociationsStatusCommand).map((call) => call.args[0].input.InstanceId).sort()).toEqual(ids.slice(1).sort());
    const byId = new Map(result.snapshots.map((snapshot) => [snapshot.instanceId, snapshot]));
    expect(byId.get(ids[0]!)?.deferredDetail).toEqual(['associationStatuses']);
    expect(byId.get(ids[0]!)?.associationStatuses).toBeUndefined();
    expect(byId.get(ids[1]!)?.deferredDetail).toBeUndefined();
    expect(byId.get(ids[1]!)?.associationStatuses).toHaveLength(1);
  });

  test('cross-check: roll-up Success but a non-patch association item NON_COMPLIANT reads them after all', async () => {
    const ids = nodeIds(1);
    serve(ids, { dirty: ids, associationItem: 'AmazonCloudWatch-ManageAgent' });
    const result = await reader().reader.readSnapshots(ids);
    expect(calls(ListComplianceItemsCommand)).toBe(1);
    expect(calls(DescribeInstanceAssociationsStatusCommand)).toBe(1);
    expect(result.snapshots[0]?.deferredDetail).toBeUndefined();
  });

  test('a patching association item NON_COMPLIANT (patches missing) does not', async () => {
    const ids = nodeIds(1);
    serve(ids, { dirty: ids, associationItem: 'AWS-RunPatchBaselineAssociation' });
    await reader().reader.readSnapshots(ids);
    expect(calls(DescribeInstanceAssociationsStatusCommand)).toBe(0);
  });

  test('the CLI (detail always) reads everything', async () => {
    const ids = nodeIds(1);
    serve(ids, { dirty: ids });
    const cli = new SsmStateReader({ client, settings: DEFAULT_SETTINGS, clock: fixedClock, tags: new CountingTags(), detail: 'always' });
    const result = await cli.readSnapshots(ids, { needsDetail: () => ({ commandHistory: false, tagsIfClean: false }) });
    expect(calls(DescribeInstanceAssociationsStatusCommand)).toBe(1);
    expect(calls(ListCommandInvocationsCommand)).toBe(1);
    expect(result.snapshots[0]?.deferredDetail).toBeUndefined();
  });
});

describe('DetailRequest', () => {
  test('commandHistory false defers ListCommandInvocations; completeSnapshot reads what was deferred, once', async () => {
    const ids = nodeIds(2);
    serve(ids, { dirty: ids });
    const { reader: subject } = reader();
    const result = await subject.readSnapshots(ids, { needsDetail: (summary) => ({ commandHistory: summary.instanceId !== ids[0] }) });
    expect(ssm.commandCalls(ListCommandInvocationsCommand).map((call) => call.args[0].input.InstanceId)).toEqual([ids[1]]);
    const partial = result.snapshots.find((snapshot) => snapshot.instanceId === ids[0])!;
    expect(partial.deferredDetail).toEqual(['associationStatuses', 'commandInvocations']);

    const complete = await subject.completeSnapshot(partial);
    expect(complete.deferredDetail).toBeUndefined();
    expect(complete.commandInvocations).toEqual([]);
    expect(complete.associationStatuses).toHaveLength(1);
    expect(ssm.commandCalls(ListCommandInvocationsCommand).map((call) => call.args[0].input.InstanceId)).toEqual([ids[1], ids[0]]);
    expect(ssm.commandCalls(DescribeInstanceAssociationsStatusCommand).map((call) => call.args[0].input.InstanceId)).toEqual([ids[0]]);
    // A complete snapshot costs nothing more.
    expect(await subject.completeSnapshot(complete)).toBe(complete);
  });

  test('tagsIfClean false: a clean node gets no tag read (deferred), a dirty one still does', async () => {
    const ids = nodeIds(2);
    serve(ids, { dirty: [ids[1]!] });
    const { reader: subject, tags } = reader();
    const result = await subject.readSnapshots(ids, { needsDetail: () => ({ tagsIfClean: false }) });
    expect(tags.asked).toEqual([[ids[1]]]);
    const clean = result.snapshots.find((snapshot) => snapshot.instanceId === ids[0])!;
    expect(clean.deferredDetail).toEqual(['tags']);
    expect((await subject.completeSnapshot(clean)).tags).toEqual({ Name: 'web-00', AutoPatch: 'auto' });
  });

  test('true (the default) reads history and tags as before', async () => {
    const ids = nodeIds(2);
    serve(ids, { dirty: [ids[1]!] });
    const { reader: subject, tags } = reader();
    await subject.readSnapshots(ids, { needsDetail: () => true });
    expect(tags.asked).toEqual([ids]);
    expect(calls(ListCommandInvocationsCommand)).toBe(1);
  });
});

test('an unknown ID in a chunk of 50 is found by halving: ~2 log2(50) calls, not 50', async () => {
  const ids = nodeIds(50);
  const bad = ids[37]!;
  ssm.on(DescribeInstanceInformationCommand).callsFake((input: DescribeInstanceInformationCommandInput) => {
    const wanted = input.Filters?.find((filter) => filter.Key === 'InstanceIds')?.Values ?? [];
    if (wanted.includes(bad)) throw new InvalidInstanceId({ message: 'Instances not in a valid state for account', $metadata: {} });
    return { InstanceInformationList: wanted.map((id) => onlineInfo(id)) };
  });
  ssm.on(DescribeInstancePatchStatesCommand).callsFake((input: { InstanceIds?: string[] }) => ({
    InstancePatchStates: (input.InstanceIds ?? []).filter((id) => id !== bad).map((id) => cleanPatchState(id)),
  }));
  ssm.on(ListResourceComplianceSummariesCommand).resolves({ ResourceComplianceSummaryItems: [] });
  const result = await reader().reader.readSnapshots(ids, { needsDetail: () => false });
  expect(result.unknown).toEqual([bad]);
  expect(result.skipped.map((summary) => summary.instanceId).sort()).toEqual(ids.filter((id) => id !== bad).sort());
  expect(calls(DescribeInstanceInformationCommand)).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(50)));
});
