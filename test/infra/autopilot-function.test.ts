/**
 * The one function construct, bundled for real (esbuild): ESM output with the require shim, the
 * SDK inside the bundle (not left to the runtime's copy), minified, no source map, arm64/Node 22.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AutopilotFunction } from '../../lib/constructs/autopilot-function';

let outdir: string;
let template: Template;
let bundle: string;
let bundleFiles: string[];

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'autopilot-fn-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'FunctionTest');
  new AutopilotFunction(stack, 'Sample', {
    entry: join(__dirname, 'fixtures', 'sample-handler.ts'),
    serviceName: 'sample',
    description: 'bundling test',
    logRetention: RetentionDays.ONE_WEEK,
  });
  template = Template.fromStack(stack);
  app.synth();
  const assetDir = readdirSync(outdir).find((name) => name.startsWith('asset.') && statSync(join(outdir, name)).isDirectory());
  if (!assetDir) throw new Error(`no asset directory in ${outdir}`);
  bundleFiles = readdirSync(join(outdir, assetDir));
  bundle = readFileSync(join(outdir, assetDir, 'index.mjs'), 'utf8');
}, 120_000);

it('outputs one minified ESM file with the createRequire shim and no source map', () => {
  expect(bundleFiles).toEqual(['index.mjs']);
  expect(bundle.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);")).toBe(true);
  expect(bundle).toMatch(/export\s*\{[^}]*as handler/);
  // Minified: far fewer lines than characters would allow for formatted code.
  expect(bundle.split('\n').length).toBeLessThan(bundle.length / 500);
});

it('bundles the AWS SDK instead of importing the runtime copy', () => {
  expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//);
  expect(bundle).toContain('GetCalendarState');
  expect(bundle).toContain('AmazonSSM');
});

it('runs on Node.js 22 / arm64 with Powertools env, JSON logs and its own log group', () => {
  template.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'nodejs22.x',
    Architectures: ['arm64'],
    Handler: 'index.handler',
    LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^SampleLogGroup') } },
    Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'sample', POWERTOOLS_METRICS_NAMESPACE: 'SsmComplianceAutopilot' } },
  });
  template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
});
