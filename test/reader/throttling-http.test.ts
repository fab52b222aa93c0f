/**
 * Wire-level check with the real SDK client (no mock): a local HTTP server speaks SSM's JSON 1.1
 * protocol and throttles DescribeInstancePatchStates. The client from createSsmClient (adaptive retry)
 * must retry a ThrottlingException, and when throttling persists past maxAttempts the reader must
 * report the nodes as retryable failures instead of losing them.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSsmClient } from '../../lambdas/adapters/ssm-client';
import { SsmStateReader } from '../../lambdas/adapters/ssm/reader';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { fixedClock } from './fixtures';

const NODES = ['i-0a7c3e91d2b4f6085', 'i-0c19e5b3f4d6182b7'];
const MAX_ATTEMPTS = 3;

let server: Server;
let endpoint: string;
/** How many DescribeInstancePatchStates requests are still answered with a throttle. */
let throttlesLeft = 0;
const requestsByOperation = new Map<string, number>();

function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => resolve(body ? (JSON.parse(body) as Record<string, unknown>) : {}));
    request.on('error', reject);
  });
}

function answer(operation: string, input: Record<string, unknown>): { status: number; body: unknown } {
  const epochSeconds = Date.parse('2026-11-20T02:11:00Z') / 1000;
  switch (operation) {
    case 'DescribeInstanceInformation': {
      const filters = (input['Filters'] as { Key: string; Values: string[] }[] | undefined) ?? [];
      const first = filters[0];
      if (!first || first.Key.startsWith('tag:')) return { status: 200, body: { InstanceInformationList: [] } };
      return {
        status: 200,
        body: {
          InstanceInformationList: first.Values.map((id) => ({
            InstanceId: id,
            PingStatus: 'Online',
            LastPingDateTime: epochSeconds + 40000,
            PlatformType: 'Linux',
            PlatformName: 'Amazon Linux',
            AssociationStatus: 'Success',
          })),
        },
      };
    }
    case 'DescribeInstancePatchStates': {
      if (throttlesLeft > 0) {
        throttlesLeft -= 1;
        return { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
      }
      const ids = (input['InstanceIds'] as string[] | undefined) ?? [];
      return {
        status: 200,
        body: {
          InstancePatchStates: ids.map((id) => ({
            InstanceId: id,
            BaselineId: 'pb-0c10e65780EXAMPLE',
            MissingCount: 0,
            FailedCount: 0,
            InstalledPendingRebootCount: 0,
            InstalledRejectedCount: 0,
            Operation: 'Scan',
            OperationStartTime: epochSeconds - 90,
            OperationEndTime: epochSeconds,
          })),
        },
      };
    }
    case 'ListResourceComplianceSummaries':
      return { status: 200, body: { ResourceComplianceSummaryItems: [] } };
    default:
      return { status: 400, body: { __type: 'InvalidAction', message: `not served: ${operation}` } };
  }
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void (async () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.replace(/^AmazonSSM\./, '');
      requestsByOperation.set(operation, (requestsByOperation.get(operation) ?? 0) + 1);
      const { status, body } = answer(operation, await readBody(request));
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(body));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => requestsByOperation.clear());

function newReader() {
  const client = createSsmClient({
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    maxAttempts: MAX_ATTEMPTS,
  });
  return new SsmStateReader({ client, settings: DEFAULT_SETTINGS, clock: fixedClock });
}

test('a ThrottlingException is retried by the real SDK client and the read succeeds', async () => {
  throttlesLeft = 1;
  const result = await newReader().readSnapshots(NODES);
  expect(requestsByOperation.get('DescribeInstancePatchStates')).toBe(2);
  expect(result.failed).toEqual([]);
  expect(result.snapshots.map((snapshot) => snapshot.instanceId).sort()).toEqual([...NODES].sort());
  expect(result.snapshots[0]?.patchState?.OperationEndTime).toBe('2026-11-20T02:11:00.000Z');
}, 20_000);

test('throttling that persists past maxAttempts lands every node in failed, retryable, none lost', async () => {
  throttlesLeft = Number.MAX_SAFE_INTEGER;
  const result = await newReader().readSnapshots(NODES);
  expect(requestsByOperation.get('DescribeInstancePatchStates')).toBe(MAX_ATTEMPTS);
  expect(result.snapshots).toEqual([]);
  expect(result.unknown).toEqual([]);
  expect(result.failed.map((failure) => failure.instanceId).sort()).toEqual([...NODES].sort());
  for (const failure of result.failed) {
    expect(failure.retryable).toBe(true);
    expect(failure.error).toMatch(/ThrottlingException: Rate exceeded/);
  }
}, 20_000);
