/**
 * Real SDK wire behaviour against a local HTTP server: SNS Publish is the query protocol
 * (form-encoded request, XML reply), EventBridge PutEvents is JSON 1.1 (`X-Amz-Target:
 * AWSEvents.PutEvents`) with per-entry failures in a 200 reply.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { EventBridgeLifecyclePublisher } from '../../lambdas/adapters/eventbridge-publisher';
import { SnsAlertNotifier } from '../../lambdas/adapters/sns-notifier';
import { decisionFor, exampleDiagnosis } from './diagnoses';
import { RecordingSink } from './recording-sink';

interface Captured {
  target: string | undefined;
  body: string;
}
const captured: Captured[] = [];
let server: Server;
let endpoint: string;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const target = request.headers['x-amz-target'] as string | undefined;
      captured.push({ target, body });
      if (target === 'AWSEvents.PutEvents') {
        const entries = (JSON.parse(body) as { Entries: unknown[] }).Entries;
        // Second entry of each call fails, as EventBridge reports it: 200 with ErrorCode per entry.
        const results = entries.map((_, index) => (index === 1 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: `event-${index}` }));
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ FailedEntryCount: entries.length > 1 ? 1 : 0, Entries: results }));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult><ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata></PublishResponse>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => captured.splice(0));

test('SNS Publish on the wire: subject, json structure and typed attributes; MessageId parsed from XML', async () => {
  const notifier = new SnsAlertNotifier(new SNSClient({ endpoint, region: 'eu-west-1', credentials }), 'arn:aws:sns:eu-west-1:111122223333:alerts', { account: '111122223333', region: 'eu-west-1' }, new RecordingSink());
  const diagnosis = exampleDiagnosis('failed-patches', (snapshot) => ({ ...snapshot, tags: { Name: 'db-primary\nwith a newline & ampersand' } }));
  const receipt = await notifier.notifyDiagnosis({ diagnosis, decision: decisionFor(diagnosis, { action: 'NOTIFY' }), outcome: { kind: 'NOTIFIED' } });

  expect(receipt.messageId).toBe('567910cd-659e-55d4-8ccb-5aaf14679dc0');
  const form = new URLSearchParams(captured[0]!.body);
  expect(form.get('Action')).toBe('Publish');
  expect(form.get('MessageStructure')).toBe('json');
  const subject = form.get('Subject')!;
  expect(subject.length).toBeLessThan(100);
  expect(subject).toContain('db-primary with a newline & ampersand');
  expect(Object.keys(JSON.parse(form.get('Message')!) as object).sort()).toEqual(['default', 'email', 'http', 'https', 'lambda', 'sqs']);
  const attributes = new Map<string, { type: string | null; value: string | null }>();
  for (let index = 1; form.has(`MessageAttributes.entry.${index}.Name`); index += 1) {
    attributes.set(form.get(`MessageAttributes.entry.${index}.Name`)!, {
      type: form.get(`MessageAttributes.entry.${index}.Value.DataType`),
      value: form.get(`MessageAttributes.entry.${index}.Value.StringValue`),
    });
  }
  expect([...attributes.keys()].sort()).toEqual(['account', 'action', 'cause', 'instance', 'kind', 'region', 'severity']);
  expect(attributes.get('instance')).toEqual({ type: 'String', value: diagnosis.instanceId });
  expect(attributes.get('action')).toEqual({ type: 'String', value: 'NOTIFY' });
});

test('EventBridge PutEvents on the wire: JSON 1.1 target, failed entry from a 200 reply is reported', async () => {
  const sink = new RecordingSink();
  const publisher = new EventBridgeLifecyclePublisher(new EventBridgeClient({ endpoint, region: 'eu-west-1', credentials }), 'default', sink);
  const result = await publisher.publish(
    Array.from({ length: 12 }, (_, index) => ({
      detailType: 'Remediation Started' as const,
      detail: { instanceId: `i-${String(index).padStart(17, '0')}`, action: 'INSTALL_PATCHES' as const, causes: ['MISSING_PATCHES' as const], reason: 'test' },
    })),
  );
  expect(captured.map((call) => call.target)).toEqual(['AWSEvents.PutEvents', 'AWSEvents.PutEvents']);
  expect((JSON.parse(captured[0]!.body) as { Entries: unknown[] }).Entries).toHaveLength(10);
  expect(result.published).toBe(10);
  expect(result.failed.map((failure) => [failure.event.detail.instanceId, failure.errorCode])).toEqual([
    ['i-00000000000000001', 'InternalFailure'],
    ['i-00000000000000011', 'InternalFailure'],
  ]);
  expect(sink.countOf('LifecycleEventsFailed')).toBe(2);
});
