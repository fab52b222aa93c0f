import { GetCalendarStateCommand, SendCommandCommand, SSMClient, StartAssociationsOnceCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { SsmCalendarReader } from '../../lambdas/adapters/ssm-calendar';
import { commandComment, commandLogGroupFor, SsmRemediator } from '../../lambdas/adapters/ssm-remediator';

const LOG_GROUP = commandLogGroupFor('SsmComplianceAutopilot');
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { RecordingSink } from '../triage/recording-sink';

const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const TOKEN = '3c1f9a7e-2b4d-4e8a-9f10-6d2c8b7a5e41';
const OTHER = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const serviceError = (name: string, message: string, httpStatusCode: number) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });

beforeEach(() => ssm.reset());

function remediator(sink = new RecordingSink(), settings = DEFAULT_SETTINGS) {
  return new SsmRemediator({ client, settings, sink, logGroupName: LOG_GROUP });
}

describe('SendCommand for AWS-RunPatchBaseline', () => {
  it('sends Install with RebootIfNeeded, a fresh SnapshotId, the delivery timeout and CloudWatch output for REBOOT_NODE', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    const sink = new RecordingSink();
    const result = await remediator(sink, { ...DEFAULT_SETTINGS, installRebootOption: 'NoReboot', commandDeliveryTimeoutSeconds: 900 }).sendPatchCommand({
      instanceIds: ['i-0123456789abcdef0', 'i-0123456789abcdef1'],
      action: 'REBOOT_NODE',
      causes: ['PENDING_REBOOT', 'MISSING_PATCHES'],
      token: TOKEN,
    });
    expect(result).toEqual({ outcome: 'SENT', commandId: 'cmd-1' });
    const input = ssm.commandCalls(SendCommandCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      DocumentName: 'AWS-RunPatchBaseline',
      InstanceIds: ['i-0123456789abcdef0', 'i-0123456789abcdef1'],
      Parameters: { Operation: ['Install'], RebootOption: ['RebootIfNeeded'] },
      // The token first, the rest cut to 100 characters on a cause boundary.
      Comment: `${TOKEN} ssm-compliance-autopilot: REBOOT_NODE for PENDING_REBOOT...`,
      TimeoutSeconds: 900,
      MaxConcurrency: '2',
      MaxErrors: '2',
      CloudWatchOutputConfig: { CloudWatchOutputEnabled: true, CloudWatchLogGroupName: '/ssm-compliance-autopilot/SsmComplianceAutopilot/commands' },
    });
    expect(input?.Parameters?.['SnapshotId']).toEqual([TOKEN]);
    expect(sink.metric('CommandsSent_REBOOT_NODE')).toBe(2);
  });

  it('uses the configured install reboot option for INSTALL_PATCHES and the caller\'s token as SnapshotId', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-2' } });
    const subject = remediator(new RecordingSink(), { ...DEFAULT_SETTINGS, installRebootOption: 'NoReboot' });
    await subject.sendPatchCommand({ instanceIds: ['i-0123456789abcdef0'], action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], token: TOKEN });
    await subject.sendPatchCommand({ instanceIds: ['i-0123456789abcdef0'], action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], token: OTHER });
    const calls = ssm.commandCalls(SendCommandCommand).map((call) => call.args[0].input.Parameters);
    expect(calls[0]?.['RebootOption']).toEqual(['NoReboot']);
    expect(calls[0]?.['SnapshotId']).not.toEqual(calls[1]?.['SnapshotId']);
  });

  it('classifies a 4xx InvalidInstanceId as REJECTED, naming the nodes the message names, and counts it', async () => {
    ssm.on(SendCommandCommand).rejects(serviceError('InvalidInstanceId', 'Instances [[i-0123456789abcdef0]] not in a valid state', 400));
    const sink = new RecordingSink();
    const result = await remediator(sink).sendPatchCommand({ instanceIds: ['i-0123456789abcdef0', 'i-0123456789abcdef1'], action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], token: TOKEN });
    expect(result).toMatchObject({ outcome: 'REJECTED', reason: 'INVALID_INSTANCE', instanceIds: ['i-0123456789abcdef0'] });
    expect(sink.metric('CommandRejected_INVALID_INSTANCE')).toBe(2);
  });

  it('classifies throttling (4xx) as REJECTED and a 5xx or a reply-less error as AMBIGUOUS', async () => {
    const send = () => remediator().sendPatchCommand({ instanceIds: ['i-0123456789abcdef0'], action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], token: TOKEN });
    ssm.on(SendCommandCommand).rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded', 400));
    expect(await send()).toMatchObject({ outcome: 'REJECTED', reason: 'THROTTLED' });
    ssm.on(SendCommandCommand).rejectsOnce(serviceError('InternalServerError', 'oops', 500));
    expect(await send()).toMatchObject({ outcome: 'AMBIGUOUS' });
    ssm.on(SendCommandCommand).rejectsOnce(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(await send()).toMatchObject({ outcome: 'AMBIGUOUS' });
  });

  it('refuses more than 50 nodes per call', async () => {
    const ids = Array.from({ length: 51 }, (_, index) => `i-${String(index).padStart(17, '0')}`);
    await expect(remediator().sendPatchCommand({ instanceIds: ids, action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], token: TOKEN })).rejects.toThrow('1..50');
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });

  it('keeps the comment within 100 characters', () => {
    const comment = commandComment('REBOOT_NODE', ['PENDING_REBOOT', 'MISSING_PATCHES', 'PATCH_OPERATION_FAILED', 'SECURITY_UPDATES_NOT_APPROVED', 'FAILED_PATCHES']);
    expect(comment.length).toBeLessThanOrEqual(100);
    expect(comment.endsWith('...')).toBe(true);
    expect(comment).toContain('PENDING_REBOOT');
    const withToken = commandComment('REBOOT_NODE', ['PENDING_REBOOT', 'MISSING_PATCHES', 'PATCH_OPERATION_FAILED', 'SECURITY_UPDATES_NOT_APPROVED', 'FAILED_PATCHES'], TOKEN);
    expect(withToken.length).toBeLessThanOrEqual(100);
    expect(withToken.startsWith(`${TOKEN} `)).toBe(true);
  });
});

describe('StartAssociationsOnce and GetCalendarState', () => {
  it('re-runs associations by ID', async () => {
    ssm.on(StartAssociationsOnceCommand).resolves({});
    await remediator().rerunAssociations(['assoc-1', 'assoc-2']);
    expect(ssm.commandCalls(StartAssociationsOnceCommand)[0]?.args[0].input).toEqual({ AssociationIds: ['assoc-1', 'assoc-2'] });
  });

  it('is CLOSED naming the closed calendar, OPEN when all are open or none are configured', async () => {
    ssm.on(GetCalendarStateCommand, { CalendarNames: ['freeze'] }).resolves({ State: 'CLOSED' });
    ssm.on(GetCalendarStateCommand, { CalendarNames: ['business-hours'] }).resolves({ State: 'OPEN' });
    const reader = new SsmCalendarReader(client);
    const at = new Date('2026-11-20T10:00:00.000Z');
    expect(await reader.state(['business-hours', 'freeze'], at)).toEqual({ state: 'CLOSED', closedBy: ['freeze'] });
    expect(await reader.state(['business-hours'], at)).toEqual({ state: 'OPEN' });
    expect(await reader.state([], at)).toEqual({ state: 'OPEN' });
    expect(ssm.commandCalls(GetCalendarStateCommand)[0]?.args[0].input.AtTime).toBe('2026-11-20T10:00:00.000Z');
  });
});
