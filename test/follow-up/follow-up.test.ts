import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCommandInvocationCommand, ListCommandInvocationsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeLifecyclePublisher } from '../../lambdas/adapters/eventbridge-publisher';
import { SnsAlertNotifier } from '../../lambdas/adapters/sns-notifier';
import { SsmCommandOutputReader } from '../../lambdas/adapters/ssm-command-output';
import { SsmCommandFinder } from '../../lambdas/adapters/ssm-command-finder';
import { CommandFollowUp } from '../../lambdas/usecases/follow-up';
import { RecordingSink } from '../alerts/recording-sink';
import { InMemoryLockLedger } from './fakes';

const INSTANCE = 'i-0123456789abcdef0';
const COMMAND = 'b8e3c0e4-71f7-4491-898f-c9b35bee5f3b';
const env = { account: '111122223333', region: 'eu-west-1' };

function fixture(status: string): Record<string, unknown> & { detail: Record<string, unknown> } {
  return JSON.parse(readFileSync(path.join(__dirname, 'fixtures', `status-${status}.json`), 'utf8'));
}

const LINUX_FAILURE_OUTPUT = [
  '/usr/bin/python3',
  '/usr/bin/yum',
  '2026-11-22 07:09:41,102 INFO Loading patch baseline pb-0c10e65780EXAMPLE',
  ...Array.from({ length: 400 }, (_, index) => `2026-11-22 07:09:42,${String(index).padStart(3, '0')} INFO Resolving dependency ${index}`),
  '2026-11-22 07:09:45,871 INFO Attempting to install 12 patches',
  'Error: Cannot find a valid baseurl for repo: amzn2-core/2/x86_64',
  '2026-11-22 07:09:46,014 ERROR Yum install failed with exit code 1',
].join('\n');

const sns = mockClient(SNSClient);
const ssm = mockClient(SSMClient);
const eventBridge = mockClient(EventBridgeClient);

function setup() {
  const ledger = new InMemoryLockLedger();
  ledger.hold({ instanceId: INSTANCE, lockToken: 'token-1', action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], reboot: true, acquiredAt: '2026-11-22T07:02:29.000Z', commandId: COMMAND });
  const sink = new RecordingSink();
  const followUp = new CommandFollowUp({
    ledger,
    finder: new SsmCommandFinder(new SSMClient({ region: 'eu-west-1' })),
    outputReader: new SsmCommandOutputReader(new SSMClient({ region: 'eu-west-1' })),
    notifier: new SnsAlertNotifier(new SNSClient({ region: 'eu-west-1' }), 'arn:aws:sns:eu-west-1:111122223333:alerts', env, sink),
    lifecycle: new EventBridgeLifecyclePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'default', sink),
    clock: { now: () => new Date('2026-11-22T08:00:00.000Z') },
    sink,
    environment: env,
  });
  return { ledger, sink, followUp };
}

beforeEach(() => {
  sns.reset();
  ssm.reset();
  eventBridge.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  ssm.on(ListCommandInvocationsCommand).resolves({
    CommandInvocations: [
      {
        CommandId: COMMAND,
        InstanceId: INSTANCE,
        Status: 'Failed',
        CommandPlugins: [
          { Name: 'PatchWindows', Status: 'Success', StatusDetails: 'Skipped', Output: 'Step execution skipped due to unsatisfied preconditions: \'"platformType" StringEquals "Windows"\'' },
          { Name: 'PatchLinux', Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 1 },
          { Name: 'PatchMacOS', Status: 'Success', StatusDetails: 'Skipped' },
        ],
      },
    ],
  });
  ssm.on(GetCommandInvocationCommand).resolves({
    CommandId: COMMAND,
    InstanceId: INSTANCE,
    PluginName: 'PatchLinux',
    Status: 'Failed',
    StatusDetails: 'Failed',
    ResponseCode: 1,
    StandardErrorContent: 'failed to run commands: exit status 1',
    StandardOutputContent: LINUX_FAILURE_OUTPUT,
  });
});

function lifecycleEntries() {
  return eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);
}

test('Success releases the lock, starts the cooldown and publishes Remediation Succeeded, no alert', async () => {
  const { ledger, followUp, sink } = setup();
  await expect(followUp.handle(fixture('success'))).resolves.toEqual({ kind: 'SUCCEEDED', instanceId: INSTANCE, commandId: COMMAND });
  expect(ledger.records.get(INSTANCE)?.lock).toBeUndefined();
  expect(ledger.records.get(INSTANCE)?.lastCommandEndedAt).toBe('2026-11-22T07:14:03.000Z');
  expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  expect(lifecycleEntries()).toEqual([
    expect.objectContaining({ Source: 'ssm-compliance-autopilot', DetailType: 'Remediation Succeeded', Resources: [`arn:aws:ec2:eu-west-1:111122223333:instance/${INSTANCE}`] }),
  ]);
  expect(JSON.parse(lifecycleEntries()[0]!.Detail!)).toEqual({ instanceId: INSTANCE, action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], commandId: COMMAND, reason: 'AWS-RunPatchBaseline ended Success', account: '111122223333', region: 'eu-west-1' });
  expect(sink.countOf('CommandsSucceeded')).toBe(1);
  // A success adds no failure to the history: nothing noted (domain/detail-plan.ts).
  expect(ledger.notedFailures).toEqual([]);
});

test('Failed reads the PatchLinux step output, alerts PATCH_OPERATION_FAILED with its tail, then releases', async () => {
  const { ledger, followUp } = setup();
  await expect(followUp.handle(fixture('failed'))).resolves.toMatchObject({ kind: 'FAILED', status: 'Failed', alerted: true });
  expect(ssm.commandCalls(ListCommandInvocationsCommand)[0]!.args[0].input).toEqual({ CommandId: COMMAND, InstanceId: INSTANCE, Details: true });
  expect(ssm.commandCalls(GetCommandInvocationCommand)[0]!.args[0].input).toEqual({ CommandId: COMMAND, InstanceId: INSTANCE, PluginName: 'PatchLinux' });
  const publish = sns.commandCalls(PublishCommand)[0]!.args[0].input;
  expect(publish.Subject).toBe(`[PATCH_OPERATION_FAILED] ${INSTANCE}: our command Failed, needs a human`);
  const text = (JSON.parse(publish.Message!) as Record<string, string>)['email']!;
  expect(text).toContain('Cannot find a valid baseurl for repo: amzn2-core/2/x86_64');
  expect(text).toContain('failed to run commands: exit status 1');
  expect(text).toContain(`/var/lib/amazon/ssm/${INSTANCE}/document/orchestration/${COMMAND}`);
  expect(text).not.toContain('Resolving dependency 0\n');
  expect(publish.MessageAttributes?.['cause']?.StringValue).toBe('PATCH_OPERATION_FAILED');
  expect(ledger.records.get(INSTANCE)?.lock).toBeUndefined();
  expect(lifecycleEntries().map((entry) => entry.DetailType)).toEqual(['Remediation Failed']);
  expect(ledger.notedFailures).toEqual([{ instanceId: INSTANCE, at: '2026-11-22T08:00:00.000Z' }]);
});

test('TimedOut alerts with the timeout advice', async () => {
  const { followUp } = setup();
  await expect(followUp.handle(fixture('timed-out'))).resolves.toMatchObject({ kind: 'FAILED', status: 'TimedOut' });
  const publish = sns.commandCalls(PublishCommand)[0]!.args[0].input;
  expect(publish.Subject).toContain('our command TimedOut');
  expect((JSON.parse(publish.Message!) as Record<string, string>)['default']).toContain('The command timed out');
  expect(publish.MessageAttributes?.['severity']?.StringValue).toBe('HIGH');
});

test('Cancelled alerts and points at CancelCommand in CloudTrail', async () => {
  const { followUp, ledger } = setup();
  await expect(followUp.handle(fixture('cancelled'))).resolves.toMatchObject({ kind: 'FAILED', status: 'Cancelled' });
  expect((JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!) as Record<string, string>)['default']).toContain('CancelCommand');
  expect(ledger.records.get(INSTANCE)?.lock).toBeUndefined();
  expect(ledger.notedFailures.map((note) => note.instanceId)).toEqual([INSTANCE]);
});

test.each(['pending', 'in-progress', 'delayed', 'cancelling'])('%s is not terminal: nothing happens', async (status) => {
  const { followUp, ledger } = setup();
  await expect(followUp.handle(fixture(status))).resolves.toMatchObject({ kind: 'NOT_TERMINAL' });
  expect(ledger.records.get(INSTANCE)?.lock?.commandId).toBe(COMMAND);
  expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
});

test('a command the autopilot did not send is ignored and counted', async () => {
  const { followUp, sink } = setup();
  const event = fixture('failed');
  event.detail['command-id'] = '0d4f8a2e-0000-4000-8000-000000000000';
  await expect(followUp.handle(event)).resolves.toMatchObject({ kind: 'NOT_OURS' });
  expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  expect(sink.countOf('IgnoredCommandEvents')).toBe(1);
});

test('a redelivered Success finds no lock and does nothing twice', async () => {
  const { followUp } = setup();
  await followUp.handle(fixture('success'));
  await expect(followUp.handle(fixture('success'))).resolves.toMatchObject({ kind: 'NOT_OURS' });
  expect(lifecycleEntries()).toHaveLength(1);
});

test('a terminal event that overtakes the command ID write is matched by the send token in its Comment and adopted', async () => {
  const { followUp, ledger, sink } = setup();
  const token = '5f0c2d4e-1b7a-4c3e-9d2f-8a6b4c2e0f11';
  ledger.hold({ instanceId: INSTANCE, lockToken: 'token-2', action: 'REBOOT_NODE', causes: ['PENDING_REBOOT'], reboot: true, acquiredAt: '2026-11-22T07:02:29.000Z', sendToken: token, sentAt: '2026-11-22T07:02:29.000Z' });
  ssm.on(ListCommandInvocationsCommand, { CommandId: COMMAND, InstanceId: INSTANCE, Details: undefined }).resolves({
    CommandInvocations: [{ CommandId: COMMAND, InstanceId: INSTANCE, Status: 'Failed', Comment: `${token} ssm-compliance-autopilot: REBOOT_NODE for PENDING_REBOOT` }],
  });
  await expect(followUp.handle(fixture('failed'))).resolves.toMatchObject({ kind: 'FAILED', alerted: true });
  expect(sink.countOf('CommandsAdopted')).toBe(1);
  expect((await ledger.readNodes([INSTANCE])).get(INSTANCE)?.lock).toBeUndefined();
});

test('a lock without a send token never had a command sent under it: the event is not ours', async () => {
  const { followUp, ledger } = setup();
  ledger.hold({ instanceId: INSTANCE, lockToken: 'token-3', action: 'REBOOT_NODE', causes: ['PENDING_REBOOT'], reboot: true, acquiredAt: '2026-11-22T07:02:29.000Z' });
  await expect(followUp.handle(fixture('failed'))).resolves.toMatchObject({ kind: 'NOT_OURS' });
  expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
});

test('when the output cannot be read the alert still goes out and says why', async () => {
  const { followUp, sink } = setup();
  ssm.on(GetCommandInvocationCommand).rejects(Object.assign(new Error('InvocationDoesNotExist'), { name: 'InvocationDoesNotExist' }));
  await expect(followUp.handle(fixture('failed'))).resolves.toMatchObject({ kind: 'FAILED', alerted: true });
  expect((JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!) as Record<string, string>)['default']).toContain('Command output could not be read: InvocationDoesNotExist');
  expect(sink.countOf('CommandOutputReadFailures')).toBe(1);
});

test('a failed Publish keeps the lock so the retried event alerts again', async () => {
  const { followUp, ledger } = setup();
  sns.on(PublishCommand).rejectsOnce(new Error('SNS down')).resolves({ MessageId: 'msg-2' });
  await expect(followUp.handle(fixture('failed'))).rejects.toThrow('SNS down');
  expect(ledger.records.get(INSTANCE)?.lock?.commandId).toBe(COMMAND);
  await expect(followUp.handle(fixture('failed'))).resolves.toMatchObject({ kind: 'FAILED', alerted: true });
  expect(ledger.records.get(INSTANCE)?.lock).toBeUndefined();
});

test('malformed events and other documents are counted, not thrown', async () => {
  const { followUp, sink } = setup();
  const malformed = fixture('failed');
  delete malformed.detail['instance-id'];
  await expect(followUp.handle(malformed)).resolves.toMatchObject({ kind: 'MALFORMED' });
  expect(sink.countOf('MalformedEvents')).toBe(1);
  expect(sink.logs.find((log) => log.level === 'error')?.fields?.['eventId']).toBe(malformed['id']);

  const otherDocument = fixture('failed');
  otherDocument.detail['document-name'] = 'AWS-RunShellScript';
  await expect(followUp.handle(otherDocument)).resolves.toMatchObject({ kind: 'NOT_PATCH_DOCUMENT' });
  expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
});

test('the sweep settling one of our commands whose event was lost notes a failed end like the event would, not a success', async () => {
  const failed = setup();
  await expect(failed.followUp.settle({ instanceId: INSTANCE, commandId: COMMAND, status: 'Failed', endedAt: new Date('2026-11-22T07:50:00.000Z') })).resolves.toMatchObject({ kind: 'FAILED' });
  expect(failed.ledger.notedFailures).toEqual([{ instanceId: INSTANCE, at: '2026-11-22T08:00:00.000Z' }]);
  const succeeded = setup();
  await expect(succeeded.followUp.settle({ instanceId: INSTANCE, commandId: COMMAND, status: 'Success', endedAt: new Date('2026-11-22T07:50:00.000Z') })).resolves.toMatchObject({ kind: 'SUCCEEDED' });
  expect(succeeded.ledger.notedFailures).toEqual([]);
});
