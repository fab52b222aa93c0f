/**
 * `npm run report` (bin/report.ts): offline over saved snapshots (examples/), bad input (exit 2), and the
 * live read through the real SDK clients against a local endpoint (sim/aws-fake/snapshot-endpoint.ts),
 * whose files must equal the offline ones for the same snapshot. Also the npm script itself, once.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { main, type ReportCliIo } from '../../bin/report';
import { createSsmClient } from '../../lambdas/adapters/ssm-client';
import { ALL_NODE_HEADER, SINGLE_NODE_HEADER } from '../../lambdas/domain/report/columns';
import type { NodeSnapshot } from '../../lambdas/domain/types';
import { startSnapshotEndpoint } from '../../sim/aws-fake/snapshot-endpoint';

const ROOT = join(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');
const GOLDEN = readFileSync(join(__dirname, '..', 'report', 'golden', 'all-nodes.csv'), 'utf8');
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const headerOf = (csv: string) => csv.slice(0, csv.indexOf('\r\n'));

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'report-cli-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function cliIo(overrides: Partial<ReportCliIo> = {}): ReportCliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    readFile: async (path) => readFileSync(path, 'utf8'),
    readDir: (path) => readdir(path),
    writeFile: async () => undefined,
    env: {},
    createSsmClient: () => {
      throw new Error('no AWS in an offline test');
    },
    ...overrides,
    out: () => out,
    err: () => err,
  };
}

const nonCompliantIds = () =>
  GOLDEN.split('\r\n')
    .slice(1)
    .filter((line) => line.length > 0)
    .map((line) => line.split(','))
    .filter((cells) => cells[17] !== '')
    .map((cells) => cells[1]!);

describe('offline: --snapshots examples', () => {
  test('writes all-nodes.csv (the golden one), a node CSV per node with a cause, and report.html', async () => {
    const io = cliIo();
    const out = join(work, 'out');
    expect(await main(['--snapshots', EXAMPLES, '--out', out, '--account', '123456789012'], io)).toBe(0);
    const files = readdirSync(out).sort();
    const allNodes = readFileSync(join(out, 'all-nodes.csv'), 'utf8');
    expect(headerOf(allNodes)).toBe(ALL_NODE_HEADER.join(','));
    // The report's time is the newest snapshot's capturedAt: the same files as the domain's golden test.
    expect(allNodes).toBe(GOLDEN);
    const expectedNodes = nonCompliantIds();
    expect(expectedNodes.length).toBeGreaterThan(5);
    expect(files).toEqual(['all-nodes.csv', ...expectedNodes.map((id) => `node-${id}.csv`), 'report.html'].sort());
    for (const id of expectedNodes) {
      const csv = readFileSync(join(out, `node-${id}.csv`), 'utf8');
      expect(headerOf(csv)).toBe(SINGLE_NODE_HEADER.join(','));
      for (const row of csv.split('\r\n').slice(1, -1)) expect(row.split(',')[1]).toBe(id);
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain('<svg');
    expect(io.out().trim().split('\n').sort()).toEqual(files.map((file) => join(out, file)).sort());
    expect(io.err()).toMatch(/report: 14 nodes, 5 non-compliant/);
  });

  test('--instance writes that node CSV only, even for a compliant node', async () => {
    const io = cliIo();
    const out = join(work, 'out');
    const compliant = (JSON.parse(readFileSync(join(EXAMPLES, 'healthy-linux.json'), 'utf8')) as NodeSnapshot).instanceId;
    expect(await main(['--snapshots', EXAMPLES, '--out', out, '--instance', compliant], io)).toBe(0);
    expect(readdirSync(out)).toEqual([`node-${compliant}.csv`]);
    expect(headerOf(readFileSync(join(out, `node-${compliant}.csv`), 'utf8'))).toBe(SINGLE_NODE_HEADER.join(','));
  });
});

describe('bad input exits 2 and names the problem', () => {
  test.each([
    [['--snapshots', EXAMPLES], /Give --out <dir>/],
    [['--bogus', '--out', 'x'], /Unknown option '--bogus'/],
    [['--out', 'x', '--region', 'moon-1'], /--region "moon-1" is not a region name/],
    [['--snapshots', EXAMPLES, '--out', 'x', '--profile', 'p'], /--profile only applies to the live report/],
    [['--out', 'x', '--account', '123456789012'], /--account only applies to --snapshots/],
    [['--snapshots', EXAMPLES, '--out', 'x', '--instance', 'web-1'], /is not a managed node ID/],
  ])('%j', async (argv, message) => {
    const io = cliIo();
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.out()).toBe('');
  });

  test('a missing snapshots folder', async () => {
    const io = cliIo();
    expect(await main(['--snapshots', join(work, 'nope'), '--out', join(work, 'out')], io)).toBe(2);
    expect(io.err()).toMatch(/Cannot read --snapshots folder .*nope/);
  });

  test('a snapshot file that is not JSON names the file', async () => {
    copyFileSync(join(EXAMPLES, 'healthy-linux.json'), join(work, 'a.json'));
    writeFileSync(join(work, 'broken.json'), '{"instanceId": ');
    const io = cliIo();
    expect(await main(['--snapshots', work, '--out', join(work, 'out')], io)).toBe(2);
    expect(io.err()).toMatch(/snapshot file .*broken\.json is not valid JSON/);
  });

  test('an invalid snapshot names the file and the field, and nothing is written', async () => {
    writeFileSync(join(work, 'bad.json'), JSON.stringify({ instanceId: 'i-1', patchState: { InstanceId: 'i-1', MissingCount: 'many' } }));
    const io = cliIo();
    expect(await main(['--snapshots', work, '--out', join(work, 'out')], io)).toBe(2);
    expect(io.err()).toMatch(/Invalid snapshot in .*bad\.json:[\s\S]*patchState\.MissingCount/);
    expect(readdirSync(work)).toEqual(['bad.json']);
  });

  test('two files for one node, an empty folder, a node not in the folder', async () => {
    copyFileSync(join(EXAMPLES, 'healthy-linux.json'), join(work, 'a.json'));
    copyFileSync(join(EXAMPLES, 'healthy-linux.json'), join(work, 'b.json'));
    const io = cliIo();
    expect(await main(['--snapshots', work, '--out', join(work, 'out')], io)).toBe(2);
    expect(io.err()).toMatch(/a\.json and .*b\.json are both for i-/);

    const empty = mkdtempSync(join(work, 'empty-'));
    const io2 = cliIo();
    expect(await main(['--snapshots', empty, '--out', join(work, 'out')], io2)).toBe(2);
    expect(io2.err()).toMatch(/holds no \.json snapshot file/);

    const io3 = cliIo();
    expect(await main(['--snapshots', EXAMPLES, '--out', join(work, 'out'), '--instance', 'i-0123456789abcdef0'], io3)).toBe(2);
    expect(io3.err()).toMatch(/No snapshot in .* is for i-0123456789abcdef0/);
  });
});

describe('live (read-only) against a local endpoint', () => {
  const snapshot = JSON.parse(readFileSync(join(EXAMPLES, 'missing-patches.json'), 'utf8')) as NodeSnapshot;

  function liveIo(endpoint: string, accountId?: () => Promise<string>) {
    const config = { region: 'eu-west-1', endpoint, credentials, maxAttempts: 1 };
    return cliIo({
      createSsmClient: () => createSsmClient(config),
      createTaggingClient: () => new ResourceGroupsTaggingAPIClient(config),
      accountId: accountId ?? (async () => (await new STSClient(config).send(new GetCallerIdentityCommand({}))).Account ?? ''),
      // The live read happens when the snapshot was captured, as the offline report's time.
      clock: { now: () => new Date(snapshot.capturedAt) },
    });
  }

  test('the fleet report equals the offline report of the same snapshot, through the documented reads', async () => {
    const folder = mkdtempSync(join(work, 'snap-'));
    copyFileSync(join(EXAMPLES, 'missing-patches.json'), join(folder, 'missing-patches.json'));
    const offline = join(work, 'offline');
    expect(await main(['--snapshots', folder, '--out', offline, '--account', '123456789012'], cliIo())).toBe(0);

    const endpoint = await startSnapshotEndpoint({ snapshot, variant: 'documented' });
    try {
      const io = liveIo(endpoint.endpoint);
      const live = join(work, 'live');
      expect(await main(['--region', 'eu-west-1', '--out', live], io)).toBe(0);
      expect(io.err()).not.toMatch(/note|error/);
      expect(readdirSync(live).sort()).toEqual(readdirSync(offline).sort());
      for (const file of ['all-nodes.csv', `node-${snapshot.instanceId}.csv`]) {
        expect(readFileSync(join(live, file), 'utf8')).toBe(readFileSync(join(offline, file), 'utf8'));
      }
      // Listed once (one page), read through the batched summary calls, never an acting call.
      expect(endpoint.calls.get('DescribeInstanceInformation')).toBe(2);
      expect([...endpoint.calls.keys()].filter((name) => !/^(\w+:)?(Describe|List|Get)/.test(name))).toEqual([]);
    } finally {
      await endpoint.close();
    }
  });

  test('--instance reads that node only and writes its CSV; a node SSM does not know is exit 3', async () => {
    const offline = join(work, 'offline');
    expect(await main(['--snapshots', EXAMPLES, '--out', offline, '--instance', snapshot.instanceId], cliIo())).toBe(0);
    const endpoint = await startSnapshotEndpoint({ snapshot, variant: 'documented' });
    try {
      const live = join(work, 'live');
      const io = liveIo(endpoint.endpoint);
      expect(await main(['--region', 'eu-west-1', '--out', live, '--instance', snapshot.instanceId], io)).toBe(0);
      expect(readdirSync(live)).toEqual([`node-${snapshot.instanceId}.csv`]);
      expect(readFileSync(join(live, `node-${snapshot.instanceId}.csv`), 'utf8')).toBe(readFileSync(join(offline, `node-${snapshot.instanceId}.csv`), 'utf8'));
      // Not listed: the node asked for is read directly.
      expect(endpoint.calls.get('DescribeInstanceInformation')).toBe(1);

      const unknown = liveIo(endpoint.endpoint);
      expect(await main(['--region', 'eu-west-1', '--out', join(work, 'none'), '--instance', 'i-0123456789abcdef0'], unknown)).toBe(3);
      expect(unknown.err()).toMatch(/Node i-0123456789abcdef0 is not known to Systems Manager in eu-west-1/);
    } finally {
      await endpoint.close();
    }
  });

  test('an AWS error is exit 3 with the AWS message', async () => {
    const endpoint = await startSnapshotEndpoint({ snapshot, variant: 'documented' });
    await endpoint.close();
    const io = liveIo(endpoint.endpoint, async () => '123456789012');
    expect(await main(['--region', 'eu-west-1', '--out', join(work, 'live')], io)).toBe(3);
    expect(io.err()).toMatch(/^report: AWS error: /m);
    expect(io.out()).toBe('');
  });
});

test('npm run -s report runs the CLI (exit code and files)', async () => {
  const out = join(work, 'out');
  const result = await promisify(execFile)('npm', ['run', '-s', 'report', '--', '--snapshots', 'examples', '--out', out], { cwd: ROOT });
  expect(result.stdout).toContain(join(out, 'report.html'));
  expect(readdirSync(out)).toContain('all-nodes.csv');
  const failed = await promisify(execFile)('npm', ['run', '-s', 'report', '--', '--out', out, '--bogus'], { cwd: ROOT }).then(
    () => 0,
    (error: { code: number }) => error.code,
  );
  expect(failed).toBe(2);
}, 60_000);
