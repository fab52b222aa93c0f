/**
 * `diagnose --asff`: the findings a node would produce now. Every examples/*.json snapshot gives
 * findings that carry every required ASFF attribute with valid values (the service model's
 * constraints, test/findings/asff-validator.ts); a compliant node gives [].
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main, type CliIo } from '../../bin/diagnose';
import { diagnose } from '../../lambdas/domain/diagnose';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { parseSnapshot } from '../../lambdas/domain/snapshot-schema';
import { validateFinding } from '../findings/asff-validator';

const ROOT = join(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');
const NOW = new Date('2026-11-20T15:00:00.000Z');

function memoryIo(env: NodeJS.ProcessEnv = {}): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    readFile: async (path) => readFileSync(path, 'utf8'),
    writeFile: async () => undefined,
    env,
    createSsmClient: () => {
      throw new Error('offline');
    },
    clock: { now: () => NOW },
    out: () => out,
    err: () => err,
  };
}

async function asff(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = memoryIo(env);
  const code = await main(args, io);
  return { code, findings: code === 0 ? (JSON.parse(io.out()) as Array<Record<string, unknown>>) : [], err: io.err(), out: io.out() };
}

const files = readdirSync(EXAMPLES).filter((file) => file.endsWith('.json')).sort();

it.each(files)('%s: one valid finding per cause (none when compliant), named for the given account and region', async (file) => {
  const snapshot = parseSnapshot(JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')), file);
  const diagnosis = diagnose(snapshot, DEFAULT_SETTINGS);
  const { code, findings, err } = await asff(['--snapshot', join(EXAMPLES, file), '--asff', '--account', '210987654321', '--region', 'ap-southeast-2']);
  expect(code).toBe(0);
  expect(err).toBe('');
  expect(findings.map((finding) => finding['GeneratorId'])).toEqual(diagnosis.causes.map((cause) => `ssm-compliance-autopilot/${cause.code}`));
  for (const finding of findings) {
    expect(validateFinding(finding, { firstImport: true })).toEqual([]);
    expect(finding).toMatchObject({
      AwsAccountId: '210987654321',
      ProductArn: 'arn:aws:securityhub:ap-southeast-2:210987654321:product/210987654321/default',
      Id: expect.stringMatching(new RegExp(`^ssm-compliance-autopilot/ap-southeast-2/210987654321/${snapshot.instanceId}/[A-Z_]+$`)),
      CreatedAt: NOW.toISOString(),
      UpdatedAt: NOW.toISOString(),
      Compliance: { Status: 'FAILED' },
      RecordState: 'ACTIVE',
    });
    const [resource] = finding['Resources'] as Array<Record<string, unknown>>;
    expect(resource?.['Type']).toBe(snapshot.instanceId.startsWith('mi-') ? 'Other' : 'AwsEc2Instance');
  }
  if (diagnosis.compliant) expect(findings).toEqual([]);
});

it('covers compliant nodes, EC2 and hybrid nodes among the examples', () => {
  const ids = files.map((file) => JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as { instanceId: string });
  expect(ids.some((entry) => entry.instanceId.startsWith('mi-'))).toBe(true);
  expect(files).toEqual(expect.arrayContaining(['healthy-linux.json', 'healthy-windows.json']));
});

it('defaults: the account from AWS_ACCOUNT_ID else the placeholder (said on stderr), the region from the snapshot', async () => {
  const fromEnv = await asff(['--snapshot', join(EXAMPLES, 'pending-reboot.json'), '--asff'], { AWS_ACCOUNT_ID: '333344445555' });
  expect(fromEnv.findings[0]).toMatchObject({ AwsAccountId: '333344445555', Id: expect.stringMatching(/^ssm-compliance-autopilot\/eu-west-1\//) });
  expect(fromEnv.err).toBe('');
  const placeholder = await asff(['--snapshot', join(EXAMPLES, 'pending-reboot.json'), '--asff']);
  expect(placeholder.findings[0]?.['AwsAccountId']).toBe('123456789012');
  expect(placeholder.err).toMatch(/placeholder account 123456789012/);
});

it.each([
  [['--asff', '--json'], /--asff and --json cannot be used together/],
  [['--asff', '--account', '12345'], /not a 12-digit AWS account ID/],
  [['--account', '111122223333'], /--account only applies to --asff/],
  [['--asff', '--region', 'Europe'], /not a region name/],
])('bad flags %j: exit 2 with a message', async (flags, message) => {
  const result = await asff(['--snapshot', join(EXAMPLES, 'pending-reboot.json'), ...flags]);
  expect(result.code).toBe(2);
  expect(result.err).toMatch(message);
  expect(result.out).toBe('');
});

it('runs as documented: npm run -s diagnose -- --snapshot f --asff', () => {
  const run = spawnSync('npm', ['run', '-s', 'diagnose', '--', '--snapshot', 'examples/healthy-linux.json', '--asff', '--account', '111122223333'], { cwd: ROOT, encoding: 'utf8' });
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual([]);
  const broken = spawnSync('npm', ['run', '-s', 'diagnose', '--', '--snapshot', 'examples/missing-patches.json', '--asff', '--account', '111122223333'], { cwd: ROOT, encoding: 'utf8' });
  expect(broken.status).toBe(0);
  expect((JSON.parse(broken.stdout) as Array<{ Types: string[] }>)[0]?.Types).toContain('Software and Configuration Checks/Vulnerabilities/CVE');
});
