/**
 * The one function construct, bundled for real by its esbuild step (lib/bundling/lambda-bundle.ts):
 * ESM `index.mjs` plus chunks, the createRequire shim in every file, the SDK inside the bundle (not
 * left to the runtime's copy) without its default credential chain, minified, no source map,
 * arm64/Node 22; what the handler loads with import() split off; the asset hash stable across synths.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AutopilotFunction } from '../../lib/constructs/autopilot-function';
import { REQUIRE_BANNER } from '../../lib/bundling/lambda-bundle';

interface Synthesized {
  template: Template;
  assetDir: string;
}

function synthSample(): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'autopilot-fn-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'FunctionTest');
  new AutopilotFunction(stack, 'Sample', {
    entry: join(__dirname, 'fixtures', 'sample-handler.ts'),
    serviceName: 'sample',
    description: 'bundling test',
    logRetention: RetentionDays.ONE_WEEK,
  });
  const template = Template.fromStack(stack);
  app.synth();
  const assetDir = readdirSync(outdir).find((name) => name.startsWith('asset.') && statSync(join(outdir, name)).isDirectory());
  if (!assetDir) throw new Error(`no asset directory in ${outdir}`);
  return { template, assetDir: join(outdir, assetDir) };
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory() ? listFiles(join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`],
  );
}

let first: Synthesized;
let second: Synthesized;
let files: string[];
let index: string;
const read = (file: string) => readFileSync(join(first.assetDir, file), 'utf8');

beforeAll(() => {
  first = synthSample();
  second = synthSample();
  files = listFiles(first.assetDir).sort();
  index = read('index.mjs');
}, 120_000);

it('outputs index.mjs and ESM chunks, each minified with the createRequire shim, no source map', () => {
  expect(files).toContain('index.mjs');
  const chunks = files.filter((file) => file !== 'index.mjs');
  expect(chunks.length).toBeGreaterThan(0);
  for (const file of files) {
    expect(file).toMatch(/^(index|chunks\/[\w-]+)\.mjs$/);
    const text = read(file);
    expect(text.startsWith(REQUIRE_BANNER)).toBe(true);
    // Minified: far fewer lines than characters would allow for formatted code.
    expect(text.split('\n').length).toBeLessThan(Math.max(10, text.length / 500));
  }
  expect(index).toMatch(/export\s*\{[^}]*as handler/);
});

it('splits what the handler loads with import() into a chunk that index.mjs does not import statically', () => {
  const lazyChunk = files.find((file) => /^chunks\/sample-lazy-part-\w+\.mjs$/.test(file));
  expect(lazyChunk).toBeDefined();
  expect(read(lazyChunk!)).toContain('sample-lazy-part loaded on first use');
  expect(index).not.toContain('sample-lazy-part loaded on first use');
  const chunkName = lazyChunk!.slice('chunks/'.length);
  expect(index).toMatch(new RegExp(`import\\(\\s*["']\\./chunks/${chunkName}["']\\s*\\)`));
  expect(index).not.toMatch(new RegExp(`from\\s*["']\\./chunks/${chunkName}["']`));
});

it('bundles the AWS SDK with the environment credential provider, not the default chain', () => {
  const all = files.map(read).join('\n');
  expect(/from\s*["']@aws-sdk\//.test(all)).toBe(false);
  const present = ['GetCalendarState', 'AmazonSSM', 'Unable to find environment variable credentials'];
  expect(present.filter((text) => !all.includes(text))).toEqual([]);
  // Strings of @aws-sdk/credential-provider-node and of the providers only it pulls in (boolean
  // checks: a failure should not print a 400 KB bundle).
  const absent = ['Could not load credentials from any providers', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'sso_start_url'];
  expect(absent.filter((text) => all.includes(text))).toEqual([]);
});

it('is deterministic: two synths give the same asset hash and the same files', () => {
  const code = (template: Template) =>
    (Object.values(template.findResources('AWS::Lambda::Function'))[0] as { Properties: { Code: { S3Key: unknown } } }).Properties.Code.S3Key;
  expect(code(second.template)).toEqual(code(first.template));
  expect(second.assetDir.split('/').pop()).toBe(first.assetDir.split('/').pop());
  expect(listFiles(second.assetDir).sort()).toEqual(files);
});

it('runs on Node.js 22 / arm64 with Powertools env, JSON logs and its own log group', () => {
  first.template.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs22.x',
    Architectures: ['arm64'],
    Handler: 'index.handler',
    LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^SampleLogGroup') } },
    Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'sample', POWERTOOLS_METRICS_NAMESPACE: 'SsmComplianceAutopilot' } },
  });
  first.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  first.template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
});
