/**
 * One local HTTP server standing in for the AWS APIs the pipeline calls, served from the simulated
 * fleet. Dispatch is by protocol, so a single `endpoint` override serves every client:
 *  - `X-Amz-Target: AmazonSSM.<Op>`  -> SSM JSON 1.1 (botocore ssm/2014-11-06 shapes, epoch-second times);
 *  - `X-Amz-Target: AWSEvents.<Op>`  -> EventBridge JSON 1.1 (PutEvents);
 *  - `X-Amz-Target: ResourceGroupsTaggingAPI_20170126.<Op>` -> tagging API JSON 1.1 (GetResources), a read;
 *  - `X-Amz-Target: DynamoDB_20120810.<Op>` -> proxied byte for byte to dynalite (the real ledger);
 *  - form body with `Action=Publish` -> SNS query protocol, XML reply.
 *
 * The SSM rate limiter is a token bucket in WALL time (the SDK's adaptive retry reacts to wall-clock
 * throttling, and the simulation compresses a day into minutes, so this is harsher than AWS at the
 * same simulated load). Above it: `ThrottlingException` (HTTP 400), counted.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeAws } from './state';

export interface RateLimit {
  /** Sustained SSM requests per second. */
  ratePerSecond: number;
  /** Bucket size. */
  burst: number;
}

export interface FakeAwsServer {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * A fault on one SSM request (issue 14), decided before it is served:
 *  - RESET_BEFORE_ACCEPT: the connection drops before SSM saw the call (nothing created);
 *  - REPLY_LOST: SSM processes the call (a SendCommand is ACCEPTED), then the connection drops;
 *  - SERVER_ERROR_AFTER_ACCEPT: SSM processes the call, then answers HTTP 500;
 *  - HANG_AFTER_ACCEPT: SSM processes the call and the reply never comes (the Lambda is killed
 *    waiting for it: nothing after the call runs); `onHang` is told so the caller can abandon it;
 *  - DELAY: the reply comes after `ms` of wall time (slow reads racing other handlers).
 */
export type SsmFault =
  | { kind: 'RESET_BEFORE_ACCEPT' }
  | { kind: 'REPLY_LOST' }
  | { kind: 'SERVER_ERROR_AFTER_ACCEPT' }
  | { kind: 'HANG_AFTER_ACCEPT' }
  | { kind: 'DELAY'; ms: number };

export interface FaultPlan {
  /** The fault for this request, if any. `path` is the request path (one per simulated container). */
  decide(operation: string, input: Record<string, unknown>, path: string): SsmFault | undefined;
  onHang?(operation: string, path: string): void;
}

class TokenBucket {
  private tokens: number;
  private last = performance.now();
  constructor(private readonly limit: RateLimit) {
    this.tokens = limit.burst;
  }
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.ratePerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}

function sendXml(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export async function startFakeAws(fake: FakeAws, options: { rateLimit: RateLimit; dynamoEndpoint?: string; faults?: FaultPlan }): Promise<FakeAwsServer> {
  const bucket = new TokenBucket(options.rateLimit);
  const dynamo = options.dynamoEndpoint ? new URL(options.dynamoEndpoint) : undefined;
  const hung = new Set<ServerResponse>();

  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const target = String(request.headers['x-amz-target'] ?? '');
      if (target.startsWith('DynamoDB_') && dynamo) {
        const upstream = httpRequest(
          { host: dynamo.hostname, port: dynamo.port, method: request.method, path: request.url, headers: request.headers },
          (reply) => {
            response.writeHead(reply.statusCode ?? 500, reply.headers);
            reply.pipe(response);
          },
        );
        upstream.on('error', (error) => sendJson(response, 500, { __type: 'InternalServerError', message: error.message }));
        upstream.end(body);
        return;
      }
      if (target.startsWith('AmazonSSM.')) {
        const operation = target.slice('AmazonSSM.'.length);
        if (!bucket.take()) {
          fake.counters.throttledCalls += 1;
          sendJson(response, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
          return;
        }
        const input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
        const fault = options.faults?.decide(operation, input, request.url ?? '/');
        if (fault?.kind === 'RESET_BEFORE_ACCEPT') {
          request.socket.destroy();
          return;
        }
        if (fault?.kind === 'DELAY') await new Promise((resolve) => setTimeout(resolve, fault.ms));
        const reply = fake.ssm(operation, input);
        if (fault?.kind === 'REPLY_LOST') {
          request.socket.destroy();
          return;
        }
        if (fault?.kind === 'SERVER_ERROR_AFTER_ACCEPT') {
          sendJson(response, 500, { __type: 'InternalServerError', message: 'An internal error occurred' });
          return;
        }
        if (fault?.kind === 'HANG_AFTER_ACCEPT') {
          hung.add(response);
          options.faults?.onHang?.(operation, request.url ?? '/');
          return;
        }
        sendJson(response, reply.status, reply.body);
        return;
      }
      if (target.startsWith('ResourceGroupsTaggingAPI_20170126.')) {
        const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
        const reply = fake.tagging(target.slice('ResourceGroupsTaggingAPI_20170126.'.length), input);
        sendJson(response, reply.status, reply.body);
        return;
      }
      if (target.startsWith('AWSEvents.')) {
        const input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
        const reply = fake.events(target.slice('AWSEvents.'.length), input);
        sendJson(response, reply.status, reply.body);
        return;
      }
      const form = new URLSearchParams(body.toString('utf8'));
      if (form.get('Action') === 'Publish') {
        const reply = fake.snsPublish(form);
        sendXml(response, reply.status, reply.body);
        return;
      }
      sendJson(response, 400, { __type: 'UnknownOperationException', message: `not served: ${target || form.get('Action') || request.url}` });
    })().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { __type: 'InternalServerError', message: String(error) });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        hung.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
