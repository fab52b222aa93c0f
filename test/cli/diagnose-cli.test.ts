import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeInstanceAssociationsStatusCommand,
  DescribeInstanceInformationCommand,
  DescribeInstancePatchesCommand,
  DescribeInstancePatchStatesCommand,
  ListCommandInvocationsCommand,
  ListResourceComplianceSummariesCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { main, type CliIo } from '../../bin/diagnose';
import { ACTIONS } from '../../lambdas/domain/types';

const ROOT = join(__dirname, '..', '..');
const example = (name: string) => join(ROOT, 'examples', name);

interface MemoryIo extends CliIo {
  out: () => string;
  err: () => string;
  written: Map<string, string>;
}

function memoryIo(files: Record<string, string> = {}, client?: SSMClient): MemoryIo {
  let out = '';
  let err = '';
  const written = new Map<string, string>();
  return {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    readFile: async (path) => (path in files ? files[path]! : readFileSync(path, 'utf8')),
    writeFile: async (path, content) => {
      written.set(path, content);
    },
    env: {},
    createSsmClient: () => client ?? new SSMClient({ region: 'eu-west-1' }),
    // The tagging API answers: no tags for this node (GetResources leaves untagged resources out).
    createTaggingClient: () => ({ send: (async () => ({ ResourceTagMappingList: [] })) as unknown as ResourceGroupsTaggingAPIClient['send'] }),
    accountId: async () => '123456789012',
    out: () => out,
    err: () => err,
    written,
  };
}

describe('--snapshot --json', () => {
  test('prints exactly one JSON object with the documented shape', async () => {
    const io = memoryIo();
    expect(await main(['--snapshot', example('pending-reboot.json'), '--json'], io)).toBe(0);
    const report = JSON.parse(io.out()) as Record<string, unknown>;
    expect(report).toMatchObject({ instanceId: 'i-0e3b07d5b6f83a4d9', compliant: false });
    const causes = report['causes'] as Record<string, unknown>[];
    expect(causes).toHaveLength(1);
    expect(Object.keys(causes[0]!)).toEqual(
      expect.arrayContaining(['code', 'remediation', 'severity', 'summary', 'evidence', 'nextSteps']),
    );
    expect(causes[0]).toMatchObject({ code: 'PENDING_REBOOT', remediation: 'REBOOT_NODE', severity: 'CRITICAL' });
    const decision = report['decision'] as Record<string, unknown>;
    expect(ACTIONS).toContain(decision['action']);
    expect(typeof decision['reason']).toBe('string');
    expect(decision['dryRun']).toBe(false);
    expect(io.err()).toBe('');
  });

  test('the decision follows the policy: compliant -> NONE, opted-in node with missing patches -> INSTALL_PATCHES, untagged -> NOTIFY', async () => {
    const decisionOf = async (file: string) => {
      const io = memoryIo();
      expect(await main(['--snapshot', example(file), '--json'], io)).toBe(0);
      return (JSON.parse(io.out()) as { decision: { action: string } }).decision.action;
    };
    expect(await decisionOf('healthy-linux.json')).toBe('NONE');
    expect(await decisionOf('missing-patches.json')).toBe('INSTALL_PATCHES');
    expect(await decisionOf('failed-patches.json')).toBe('NOTIFY');
  });

  test('--config dry-run marks the decision as a dry run', async () => {
    const io = memoryIo({ 'dry.json': JSON.stringify({ mode: 'dry-run' }) });
    expect(await main(['--snapshot', example('missing-patches.json'), '--json', '--config', 'dry.json'], io)).toBe(0);
    expect((JSON.parse(io.out()) as { decision: { dryRun: boolean } }).decision.dryRun).toBe(true);
  });
});

describe('readable report', () => {
  test('names the node, status, decision, evidence, next steps and links', async () => {
    const io = memoryIo();
    expect(await main(['--snapshot', example('pending-reboot.json')], io)).toBe(0);
    const text = io.out();
    expect(text).toContain('Node i-0e3b07d5b6f83a4d9 (Name: sql-reporting-1) - Windows');
    expect(text).toContain('Status: NON-COMPLIANT (1 cause)');
    expect(text).toMatch(/^Decision: /m);
    expect(text).toContain('1. PENDING_REBOOT - severity CRITICAL - calls for REBOOT_NODE');
    expect(text).toContain('KB5068787');
    expect(text).toContain('CVE-2026-20805');
    expect(text).toContain('https://eu-west-1.console.aws.amazon.com/systems-manager/');
    expect(() => JSON.parse(text)).toThrow();
  });

  test('a compliant node says so and exits 0', async () => {
    const io = memoryIo();
    expect(await main(['--snapshot', example('healthy-windows.json')], io)).toBe(0);
    expect(io.out()).toContain('Status: COMPLIANT');
    expect(io.out()).toContain('Notes:');
  });
});

describe('bad input exits non-zero with a clear message', () => {
  test.each([
    [[], /Give either --instance <id> or --snapshot <file>/],
    [['--snapshot'], /argument missing|--snapshot/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--instance', 'i-0123456789abcdef0', '--snapshot', 'x.json'], /cannot be used together/],
    [['--snapshot', 'x.json', '--region', 'eu-west-1'], /--region only applies to --instance/],
    [['--instance', 'web-1'], /is not a managed node ID/],
  ])('%j', async (argv, message) => {
    const io = memoryIo();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.out()).toBe('');
  });

  test('unreadable snapshot file', async () => {
    const io = memoryIo();
    expect(await main(['--snapshot', '/nonexistent/snap.json'], io)).toBe(2);
    expect(io.err()).toMatch(/Cannot read snapshot file \/nonexistent\/snap\.json/);
  });

  test('snapshot that is not JSON', async () => {
    const io = memoryIo({ 'broken.json': '{"instanceId": ' });
    expect(await main(['--snapshot', 'broken.json'], io)).toBe(2);
    expect(io.err()).toMatch(/snapshot file broken\.json is not valid JSON/);
  });

  test('invalid snapshot names the field', async () => {
    const io = memoryIo({ 'bad.json': JSON.stringify({ instanceId: 'i-1', patchState: { InstanceId: 'i-1', MissingCount: 'many' } }) });
    expect(await main(['--snapshot', 'bad.json', '--json'], io)).toBe(2);
    expect(io.err()).toMatch(/Invalid snapshot in bad\.json:[\s\S]*patchState\.MissingCount/);
    expect(io.out()).toBe('');
  });

  test('invalid --config names the option', async () => {
    const io = memoryIo({ 'cfg.json': JSON.stringify({ mode: 'yolo' }) });
    expect(await main(['--snapshot', example('healthy-linux.json'), '--config', 'cfg.json'], io)).toBe(2);
    expect(io.err()).toMatch(/Invalid settings in --config cfg\.json:[\s\S]*mode/);
  });

  test('contradicting --config settings name both options, one line each', async () => {
    const io = memoryIo({ 'cfg.json': JSON.stringify({ commandDeliveryTimeoutSeconds: 86400, maxRebootsInFlight: 60 }) });
    expect(await main(['--snapshot', example('healthy-linux.json'), '--config', 'cfg.json'], io)).toBe(2);
    const lines = io.err().split('\n').filter((line) => line.startsWith('  - '));
    expect(lines).toEqual([
      expect.stringMatching(/lockTimeoutMinutes \(180 min = 10800 s\) must exceed commandDeliveryTimeoutSeconds \(86400 s\)/),
      expect.stringMatching(/maxRebootsInFlight \(60\) must not exceed maxRemediationsInFlight \(50\)/),
    ]);
    expect(io.out()).toBe('');
  });
});

describe('--instance (live, read-only)', () => {
  const instanceId = 'i-0c19e5b3f4d6182b7';

  function mockedClient() {
    const client = new SSMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    const ssm = mockClient(client);
    ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [] });
    ssm.on(DescribeInstanceInformationCommand, { Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] }).resolves({
      InstanceInformationList: [{ InstanceId: instanceId, PingStatus: 'Online', PlatformType: 'Linux', ComputerName: 'ip-10-20-4-17', AssociationStatus: 'Success' }],
    });
    ssm.on(DescribeInstancePatchStatesCommand).resolves({
      InstancePatchStates: [{
        InstanceId: instanceId, PatchGroup: '', BaselineId: 'pb-1', OwnerInformation: '', MissingCount: 1, FailedCount: 0,
        Operation: 'Scan', OperationStartTime: new Date('2026-11-20T02:10:00Z'), OperationEndTime: new Date(Date.now() - 3_600_000),
      }],
    });
    ssm.on(ListResourceComplianceSummariesCommand).resolves({ ResourceComplianceSummaryItems: [] });
    ssm.on(DescribeInstancePatchesCommand).resolves({ Patches: [] });
    ssm.on(DescribeInstanceAssociationsStatusCommand).resolves({ InstanceAssociationStatusInfos: [] });
    ssm.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [] });
    return { client, ssm };
  }

  test('reads, diagnoses, saves the snapshot, and sets AWS_PROFILE for --profile', async () => {
    const { client } = mockedClient();
    const io = memoryIo({}, client);
    const code = await main(['--instance', instanceId, '--region', 'eu-west-1', '--profile', 'ops', '--save-snapshot', 'out.json', '--json'], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
    expect(io.env['AWS_PROFILE']).toBe('ops');
    expect((JSON.parse(io.out()) as { causes: { code: string }[] }).causes.map((cause) => cause.code)).toEqual(['MISSING_PATCHES']);
    const saved = JSON.parse(io.written.get('out.json') ?? 'null') as { instanceId: string; patchState: { MissingCount: number } };
    expect(saved).toMatchObject({ instanceId, patchState: { MissingCount: 1 } });
  });

  test('a node SSM does not know is an error (exit 3)', async () => {
    const { client, ssm } = mockedClient();
    ssm.on(DescribeInstancePatchStatesCommand).resolves({ InstancePatchStates: [] });
    ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [] });
    const io = memoryIo({}, client);
    expect(await main(['--instance', instanceId], io)).toBe(3);
    expect(io.err()).toMatch(/is not known to Systems Manager/);
  });

  test('missing credentials are named as such (exit 3)', async () => {
    const client = new SSMClient({
      region: 'eu-west-1',
      maxAttempts: 1,
      credentials: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
      },
    });
    const io = memoryIo({}, client);
    expect(await main(['--instance', instanceId], io)).toBe(3);
    expect(io.err()).toMatch(/AWS credentials not found \(CredentialsProviderError\)/);
  });
});

test('runs as a real process via tsx (npm run diagnose)', () => {
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  const ok = spawnSync(tsx, ['bin/diagnose.ts', '--snapshot', 'examples/missing-patches.json', '--json'], { cwd: ROOT, encoding: 'utf8' });
  expect(ok.status).toBe(0);
  expect((JSON.parse(ok.stdout) as { causes: { code: string }[] }).causes[0]?.code).toBe('MISSING_PATCHES');
  const bad = spawnSync(tsx, ['bin/diagnose.ts', '--snapshot', 'examples/does-not-exist.json'], { cwd: ROOT, encoding: 'utf8' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/Cannot read snapshot file/);
  expect(bad.stdout).toBe('');
});
