/**
 * SendCommand through the real SDK wire path (JSON 1.1, X-Amz-Target AmazonSSM.SendCommand) against a
 * local HTTP server: checks the body SSM receives and that SSM's error reply for a deregistered node
 * (`__type: InvalidInstanceId`, HTTP 400) reaches the remediator as the rejection it handles.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSsmClient } from '../../lambdas/adapters/ssm-client';
import { SsmRemediator } from '../../lambdas/adapters/ssm-remediator';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { RecordingSink } from '../triage/recording-sink';

interface Received {
  target: string | undefined;
  body: Record<string, unknown>;
}

let server: Server;
let endpoint: string;
const received: Received[] = [];
let reply: { status: number; body: unknown } = { status: 200, body: {} };

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ target: request.headers['x-amz-target'] as string | undefined, body: JSON.parse(raw) as Record<string, unknown> });
      response.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received.length = 0;
});

function remediator(sink: RecordingSink) {
  const client = createSsmClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  return new SsmRemediator({ client, settings: DEFAULT_SETTINGS, sink, logGroupName: '/autopilot/commands' });
}

it('sends the exact AWS-RunPatchBaseline request on the wire', async () => {
  reply = { status: 200, body: { Command: { CommandId: '0a1b2c3d-1111-2222-3333-444455556666', DocumentName: 'AWS-RunPatchBaseline' } } };
  const token = '7d3e2f1a-0b9c-4d8e-8f7a-6b5c4d3e2f1a';
  const result = await remediator(new RecordingSink()).sendPatchCommand({ instanceIds: ['i-0123456789abcdef0'], action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], token });
  expect(result).toEqual({ outcome: 'SENT', commandId: '0a1b2c3d-1111-2222-3333-444455556666' });
  expect(received[0]?.target).toBe('AmazonSSM.SendCommand');
  expect(received[0]?.body).toMatchObject({
    DocumentName: 'AWS-RunPatchBaseline',
    InstanceIds: ['i-0123456789abcdef0'],
    Parameters: { Operation: ['Install'], RebootOption: ['RebootIfNeeded'], SnapshotId: [token] },
    Comment: `${token} ssm-compliance-autopilot: INSTALL_PATCHES for MISSING_PATCHES`,
    TimeoutSeconds: 1800,
    CloudWatchOutputConfig: { CloudWatchOutputEnabled: true, CloudWatchLogGroupName: '/autopilot/commands' },
  });
});

it('turns an InvalidInstanceId reply into rejected nodes and a count', async () => {
  reply = { status: 400, body: { __type: 'InvalidInstanceId', Message: 'Instances [[i-0123456789abcdef0]] not in a valid state for account 111122223333' } };
  const sink = new RecordingSink();
  const result = await remediator(sink).sendPatchCommand({ instanceIds: ['i-0123456789abcdef0'], action: 'REBOOT_NODE', causes: ['PENDING_REBOOT'], token: '7d3e2f1a-0b9c-4d8e-8f7a-6b5c4d3e2f1b' });
  expect(result).toMatchObject({ outcome: 'REJECTED', reason: 'INVALID_INSTANCE', instanceIds: ['i-0123456789abcdef0'] });
  if (result.outcome === 'REJECTED') expect(result.error).toContain('not in a valid state');
  expect(sink.metric('CommandRejected_INVALID_INSTANCE')).toBe(1);
});
