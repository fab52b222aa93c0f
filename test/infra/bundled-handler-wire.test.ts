/**
 * The shipped triage bundle (the construct's esbuild step: split chunks, environment-only
 * credentials) run in a child `node` as Lambda would run it: credentials only in the environment,
 * endpoints only in the SDK's `AWS_ENDPOINT_URL_<SERVICE>` variables, pointed at a local recording
 * proxy in front of the simulator's fake AWS. Asserts what reached the "service": every request
 * signed with the environment's key and session token, none when the environment has no credentials
 * (no silent fall back to other providers such as the instance metadata service).
 */
import { spawn } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleLambda, HANDLER_FILE } from '../../lib/bundling/lambda-bundle';
import { LAMBDA_CREDENTIALS, startLocalAws, type LocalAws } from '../../bench/local-aws';

interface Seen {
  target: string;
  authorization: string;
  securityToken: string | undefined;
}

let local: LocalAws;
let proxy: Server;
let proxyEndpoint: string;
let seen: Seen[] = [];
let workDir: string;

beforeAll(async () => {
  local = await startLocalAws({ nodes: 10 });
  const upstream = new URL(local.endpoint);
  proxy = createServer((request, response) => {
    seen.push({
      target: String(request.headers['x-amz-target'] ?? request.headers['content-type'] ?? ''),
      authorization: String(request.headers['authorization'] ?? ''),
      securityToken: request.headers['x-amz-security-token'] as string | undefined,
    });
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
      (reply) => {
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
      },
    );
    request.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  proxyEndpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  workDir = mkdtempSync(join(tmpdir(), 'autopilot-wire-'));
  bundleLambda(join(__dirname, '..', '..', 'lambdas', 'handlers', 'triage.ts'), join(workDir, 'triage'));
  writeFileSync(
    join(workDir, 'run.mjs'),
    `const { handler } = await import(process.argv[2]);
const context = { functionName: 'triage', functionVersion: '$LATEST', memoryLimitInMB: '512', awsRequestId: 'wire-test',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:triage', getRemainingTimeInMillis: () => 60000 };
const result = await handler(JSON.parse(process.argv[3]), context);
process.stdout.write('\\nRESULT ' + JSON.stringify(result) + '\\n');
process.exit(0);
`,
  );
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await local.close();
});

beforeEach(() => {
  seen = [];
});

/** The Lambda environment with the endpoint given per service, and no global AWS_ENDPOINT_URL. */
function lambdaEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...local.lambdaEnv('triage'), POWERTOOLS_LOG_LEVEL: 'INFO' };
  delete env['AWS_ENDPOINT_URL'];
  for (const service of ['SSM', 'DYNAMODB', 'SNS', 'EVENTBRIDGE', 'RESOURCE_GROUPS_TAGGING_API']) env[`AWS_ENDPOINT_URL_${service}`] = proxyEndpoint;
  return env;
}

function runTriage(env: NodeJS.ProcessEnv): Promise<{ result: { batchItemFailures: Array<{ itemIdentifier: string }> }; logs: string }> {
  return new Promise((resolve, reject) => {
    const event = JSON.stringify(local.firstEvent('triage'));
    const child = spawn(process.execPath, [join(workDir, 'run.mjs'), join(workDir, 'triage', HANDLER_FILE), event], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`triage bundle exited ${code}: ${stderr}\n${stdout}`));
      else resolve({ result: JSON.parse(line.slice('RESULT '.length)), logs: stdout + stderr });
    });
  });
}

it('signs every call with the environment credentials and reaches the endpoints named by AWS_ENDPOINT_URL_<SERVICE>', async () => {
  const { result } = await runTriage(lambdaEnv());

  expect(result.batchItemFailures).toEqual([]);
  const targets = seen.map((request) => request.target);
  expect(targets.some((target) => target.startsWith('AmazonSSM.'))).toBe(true);
  expect(targets.some((target) => target.startsWith('DynamoDB_20120810.'))).toBe(true);
  // The tagging client is loaded from its chunk on first use (lazyAdapter) and still finds its endpoint.
  expect(targets).toContain('ResourceGroupsTaggingAPI_20170126.GetResources');
  for (const request of seen) {
    expect(request.authorization).toContain(`Credential=${LAMBDA_CREDENTIALS.accessKeyId}/`);
    expect(request.securityToken).toBe(LAMBDA_CREDENTIALS.sessionToken);
  }
}, 60_000);

it('sends nothing when the environment holds no credentials, says so, and gives the record back for a retry', async () => {
  const env = lambdaEnv();
  delete env['AWS_ACCESS_KEY_ID'];
  delete env['AWS_SECRET_ACCESS_KEY'];
  delete env['AWS_SESSION_TOKEN'];

  const { result, logs } = await runTriage(env);

  expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bench-1' }]);
  expect(seen).toEqual([]);
  // The environment provider's own error (the SDK's default chain would say "Could not load
  // credentials from any providers" after trying files, SSO and the instance metadata service).
  expect(logs).toContain('Unable to find environment variable credentials');
}, 60_000);
