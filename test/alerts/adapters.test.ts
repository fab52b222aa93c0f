import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeLifecyclePublisher } from '../../lambdas/adapters/eventbridge-publisher';
import { SnsAlertNotifier } from '../../lambdas/adapters/sns-notifier';
import type { LifecycleEvent } from '../../lambdas/domain/lifecycle';
import { decisionFor, exampleDiagnosis } from './diagnoses';
import { RecordingSink } from './recording-sink';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:autopilot-alerts';
const env = { account: '111122223333', region: 'eu-west-1' };

describe('SnsAlertNotifier', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  });

  test('publishes MessageStructure json with text for email and JSON for machines, and String attributes', async () => {
    const sink = new RecordingSink();
    const notifier = new SnsAlertNotifier(new SNSClient({ region: 'eu-west-1' }), TOPIC, env, sink);
    const diagnosis = exampleDiagnosis('pending-reboot', (snapshot) => ({ ...snapshot, tags: { ...snapshot.tags, Name: 'web-1' } }));
    const receipt = await notifier.notifyDiagnosis({ diagnosis, decision: decisionFor(diagnosis), outcome: { kind: 'COMMAND_SENT', commandId: 'cmd-42' } });

    expect(receipt.messageId).toBe('msg-1');
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.MessageStructure).toBe('json');
    expect(input.Subject).toMatch(/^\[PENDING_REBOOT.*\] web-1 \(i-0e3b07d5b6f83a4d9\): rebooting via RunPatchBaseline$/);
    expect(input.Subject!.length).toBeLessThan(100);
    const structure = JSON.parse(input.Message!) as Record<string, string>;
    expect(structure['default']).toContain('WHAT WAS DONE');
    expect(structure['email']).toBe(structure['default']);
    for (const protocol of ['sqs', 'lambda', 'http', 'https']) {
      expect(JSON.parse(structure[protocol]!)).toMatchObject({ kind: 'DIAGNOSIS', action: 'REBOOT_NODE', outcome: { kind: 'COMMAND_SENT', commandId: 'cmd-42' } });
    }
    expect(input.MessageAttributes).toEqual({
      kind: { DataType: 'String', StringValue: 'DIAGNOSIS' },
      cause: { DataType: 'String', StringValue: expect.stringMatching(/^[A-Z_]+$/) },
      severity: { DataType: 'String', StringValue: expect.stringMatching(/^(CRITICAL|HIGH|MEDIUM|LOW|INFORMATIONAL)$/) },
      action: { DataType: 'String', StringValue: 'REBOOT_NODE' },
      instance: { DataType: 'String', StringValue: 'i-0e3b07d5b6f83a4d9' },
      account: { DataType: 'String', StringValue: '111122223333' },
      region: { DataType: 'String', StringValue: 'eu-west-1' },
    });
    expect(sink.countOf('AlertsSent')).toBe(1);
  });

  test('a 300-character Name tag with a newline still gives a valid subject', async () => {
    const notifier = new SnsAlertNotifier(new SNSClient({ region: 'eu-west-1' }), TOPIC, env, new RecordingSink());
    const diagnosis = exampleDiagnosis('missing-patches', (snapshot) => ({ ...snapshot, tags: { Name: `${'n'.repeat(150)}\r\n${'m'.repeat(150)}` } }));
    await notifier.notifyDeferred({ diagnosis, decision: decisionFor(diagnosis, { action: 'INSTALL_PATCHES' }), outcome: { kind: 'DEFERRED', guard: 'CALENDAR_CLOSED', reason: 'calendar freeze is CLOSED' } });
    const subject = sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject!;
    expect(subject.length).toBeLessThan(100);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toContain(diagnosis.instanceId);
    expect(subject).toMatch(/deferred \(change calendar CLOSED\)$/);
  });

  test('command-failed and resolved alerts go out with their kind attribute', async () => {
    const notifier = new SnsAlertNotifier(new SNSClient({ region: 'eu-west-1' }), TOPIC, env, new RecordingSink());
    await notifier.notifyCommandFailed({ instanceId: 'i-0abc', commandId: 'cmd-1', documentName: 'AWS-RunPatchBaseline', status: 'TimedOut', standardErrorContent: '', standardOutputContent: '' });
    await notifier.notifyResolved({ instanceId: 'i-0abc', resolvedCauses: ['PENDING_REBOOT'], capturedAt: '2026-11-22T08:00:00.000Z' });
    const kinds = sns.commandCalls(PublishCommand).map((call) => call.args[0].input.MessageAttributes?.['kind']?.StringValue);
    expect(kinds).toEqual(['PATCH_OPERATION_FAILED', 'RESOLVED']);
  });

  test('a Publish error propagates (the caller must not record the alert as sent)', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }));
    const sink = new RecordingSink();
    const notifier = new SnsAlertNotifier(new SNSClient({ region: 'eu-west-1' }), TOPIC, env, sink);
    await expect(notifier.notifyResolved({ instanceId: 'i-0abc', resolvedCauses: [], capturedAt: '2026-11-22T08:00:00.000Z' })).rejects.toThrow('Rate exceeded');
    expect(sink.countOf('AlertsSent')).toBe(0);
  });

  test('an exhausted alert with the wrong outcome is a programming error', () => {
    const notifier = new SnsAlertNotifier(new SNSClient({ region: 'eu-west-1' }), TOPIC, env, new RecordingSink());
    const diagnosis = exampleDiagnosis('pending-reboot');
    expect(() => notifier.notifyExhausted({ diagnosis, decision: decisionFor(diagnosis), outcome: { kind: 'NOTIFIED' } })).toThrow(/EXHAUSTED/);
  });
});

describe('EventBridgeLifecyclePublisher', () => {
  const eventBridge = mockClient(EventBridgeClient);
  beforeEach(() => eventBridge.reset());

  const events: LifecycleEvent[] = Array.from({ length: 23 }, (_, index) => ({
    detailType: index % 2 === 0 ? 'Remediation Started' : 'Remediation Deferred',
    detail: { instanceId: `i-${String(index).padStart(17, '0')}`, action: 'REBOOT_NODE', causes: ['PENDING_REBOOT'], reason: 'test', account: '111122223333', region: 'eu-west-1', ...(index % 2 === 0 ? { commandId: `cmd-${index}` } : {}) },
  }));

  test('sends at most 10 entries per call with the exact entry shape', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, index) => ({ EventId: `e-${index}` })) }));
    const sink = new RecordingSink();
    const result = await new EventBridgeLifecyclePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'default', sink).publish(events);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((call) => call.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls[0]!.args[0].input.Entries?.[0]).toEqual({
      Source: 'ssm-compliance-autopilot',
      DetailType: 'Remediation Started',
      Detail: JSON.stringify({ instanceId: 'i-00000000000000000', action: 'REBOOT_NODE', causes: ['PENDING_REBOOT'], commandId: 'cmd-0', reason: 'test', account: '111122223333', region: 'eu-west-1' }),
      EventBusName: 'default',
      Resources: ['arn:aws:ec2:eu-west-1:111122223333:instance/i-00000000000000000'],
    });
    expect(result).toEqual({ published: 23, failed: [] });
    expect(sink.countOf('LifecycleEventsPublished')).toBe(23);
  });

  test('failed entries (FailedEntryCount) and failed calls are reported, logged and counted', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }, ...Array.from({ length: 8 }, () => ({ EventId: 'x' }))] })
      .rejectsOnce(Object.assign(new Error('AccessDenied'), { name: 'AccessDeniedException' }))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }, { EventId: 'c' }, { EventId: 'd' }] });
    const sink = new RecordingSink();
    const result = await new EventBridgeLifecyclePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'default', sink).publish(events);
    expect(result.published).toBe(12);
    expect(result.failed).toHaveLength(11);
    expect(result.failed[0]).toMatchObject({ errorCode: 'ThrottlingException', event: { detail: { instanceId: 'i-00000000000000001' } } });
    expect(result.failed[1]).toMatchObject({ errorCode: 'AccessDeniedException' });
    expect(sink.countOf('LifecycleEventsFailed')).toBe(11);
    expect(sink.logs.find((log) => log.level === 'warn')?.message).toBe('lifecycle events not published');
  });

  test('hybrid nodes get a managed-instance ARN', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }] });
    await new EventBridgeLifecyclePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'default', new RecordingSink()).publish([
      { detailType: 'Remediation Failed', detail: { instanceId: 'mi-0123456789abcdef0', action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], reason: 'Failed', account: '111122223333', region: 'cn-north-1' } },
    ]);
    expect(eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries?.[0]?.Resources).toEqual(['arn:aws-cn:ssm:cn-north-1:111122223333:managed-instance/mi-0123456789abcdef0']);
  });
});
