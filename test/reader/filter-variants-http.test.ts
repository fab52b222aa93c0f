/**
 * Item 1 of issue 15, through the wire: the diagnose CLI's live read (the real SDK clients, the real
 * reader) against a local endpoint that serves one saved snapshot the way SSM might really answer
 * (sim/aws-fake/snapshot-endpoint.ts: refused, ignored, one-value-only, empty and other-spelling
 * filters). Whatever the variant, the report must equal the one `--snapshot` gives for the same
 * snapshot: same causes, same evidence, same decision. Calls are counted per variant.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { main, type CliIo } from '../../bin/diagnose';
import { createSsmClient } from '../../lambdas/adapters/ssm-client';
import { SsmStateReader } from '../../lambdas/adapters/ssm/reader';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import type { NodeSnapshot } from '../../lambdas/domain/types';
import { rebaseSnapshot, SSM_VARIANTS, startSnapshotEndpoint, type SnapshotEndpoint, type SsmVariant } from '../../sim/aws-fake/snapshot-endpoint';

const ROOT = join(__dirname, '..', '..');
const EXAMPLES = readdirSync(join(ROOT, 'examples')).filter((name) => name.endsWith('.json'));
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

interface Run {
  code: number;
  out: string;
  err: string;
}

function io(endpoint: string | undefined, snapshot: NodeSnapshot): CliIo & { result: () => Run } {
  let out = '';
  let err = '';
  const config = { region: snapshot.region, ...(endpoint ? { endpoint } : {}), credentials };
  return {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    readFile: async (path) => readFileSync(path, 'utf8'),
    writeFile: async () => undefined,
    env: {},
    createSsmClient: () => createSsmClient({ ...config, maxAttempts: 1 }),
    createTaggingClient: () => new ResourceGroupsTaggingAPIClient({ ...config, maxAttempts: 1 }),
    accountId: async () => (await new STSClient({ ...config, maxAttempts: 1 }).send(new GetCallerIdentityCommand({}))).Account ?? '',
    // The live read happens "when the snapshot was captured": its staleness and its capturedAt match.
    clock: { now: () => new Date(snapshot.capturedAt) },
    result: () => ({ code: 0, out, err }),
  };
}

async function diagnoseSnapshotFile(name: string, snapshot: NodeSnapshot): Promise<Run> {
  const cli = io(undefined, snapshot);
  const code = await main(['--snapshot', join(ROOT, 'examples', name), '--json'], cli);
  return { ...cli.result(), code };
}

async function diagnoseLive(endpoint: SnapshotEndpoint, snapshot: NodeSnapshot): Promise<Run> {
  const cli = io(endpoint.endpoint, snapshot);
  const code = await main(['--instance', snapshot.instanceId, '--region', snapshot.region ?? 'eu-west-1', '--json'], cli);
  return { ...cli.result(), code };
}

const load = (name: string) => JSON.parse(readFileSync(join(ROOT, 'examples', name), 'utf8')) as NodeSnapshot;
/** Variants where the tagging API serves the tags; the tag-filter ones run as an SSM-only endpoint. */
const SSM_ONLY: readonly SsmVariant[] = ['tag-filter-refused', 'tag-filter-ignored', 'tag-filter-case-insensitive'];

describe.each(SSM_VARIANTS.filter((variant) => !SSM_ONLY.includes(variant)))('SSM answers %s', (variant) => {
  test.each(EXAMPLES)('%s: the live report equals the --snapshot report', async (name) => {
    const snapshot = load(name);
    const expected = await diagnoseSnapshotFile(name, snapshot);
    const endpoint = await startSnapshotEndpoint({ snapshot, variant });
    try {
      const live = await diagnoseLive(endpoint, snapshot);
      expect(live.code).toBe(0);
      expect(JSON.parse(live.out)).toEqual(JSON.parse(expected.out));
      // A degradation is said, and only when SSM did not answer as documented.
      if (variant === 'documented') expect(live.err).toBe('');
    } finally {
      await endpoint.close();
    }
  });
});

describe.each(SSM_ONLY)('SSM-only endpoint, tag filter %s', (variant) => {
  test.each(EXAMPLES)('%s: same causes and evidence; the scope tag read through SSM or said unknown', async (name) => {
    const snapshot = load(name);
    const expected = JSON.parse((await diagnoseSnapshotFile(name, snapshot)).out) as { causes: unknown; compliant: boolean; decision: { nodeMode: string } };
    const endpoint = await startSnapshotEndpoint({ snapshot, variant, taggingApi: false });
    try {
      const live = await diagnoseLive(endpoint, snapshot);
      expect(live.code).toBe(0);
      const report = JSON.parse(live.out) as typeof expected;
      expect(report.causes).toEqual(expected.causes);
      expect(report.compliant).toBe(expected.compliant);
      if (snapshot.instanceId.startsWith('mi-')) {
        // Hybrid nodes' tags come from SSM's ListTagsForResource: no tagging API, no tag filter needed.
        expect(report).toEqual(JSON.parse((await diagnoseSnapshotFile(name, snapshot)).out));
        expect(live.err).toBe('');
        return;
      }
      expect(live.err).toMatch(/tags not read through the Resource Groups Tagging API/);
      if (variant === 'tag-filter-case-insensitive') expect(report.decision).toEqual(expected.decision);
      else expect(live.err).toMatch(/scope tag ComplianceAutopilot unknown/);
    } finally {
      await endpoint.close();
    }
  });
});

describe('calls counted', () => {
  const snapshot = load('custom-noncompliant.json');
  async function callsFor(variant: SsmVariant): Promise<Record<string, number>> {
    const endpoint = await startSnapshotEndpoint({ snapshot, variant });
    try {
      await diagnoseLive(endpoint, snapshot);
      return Object.fromEntries(endpoint.calls);
    } finally {
      await endpoint.close();
    }
  }

  test('documented answers: one call per read, plus the CLI\'s one unfiltered summary check', async () => {
    // A hybrid node: its tags through SSM ListTagsForResource (an EC2 node: STS once + GetResources once).
    expect(snapshot.instanceId.startsWith('mi-')).toBe(true);
    expect(await callsFor('documented')).toEqual({
      ListTagsForResource: 1,
      DescribeInstanceInformation: 1,
      DescribeInstancePatchStates: 1,
      ListResourceComplianceSummaries: 2,
      ListComplianceItems: 1,
      DescribeInstanceAssociationsStatus: 1,
      ListCommandInvocations: 1,
      ...(snapshot.patchState && (snapshot.patchState.MissingCount ?? 0) > 0 ? { DescribeInstancePatches: 1 } : {}),
    });
  });

  test('a refused NOT_EQUAL costs one more ListComplianceItems call; one that matches nothing too', async () => {
    expect((await callsFor('items-not-equal-refused'))['ListComplianceItems']).toBe(2);
    expect((await callsFor('items-not-equal-matches-nothing'))['ListComplianceItems']).toBe(2);
  });

  test('an InstanceId filter that matches nothing: the account-wide list is read once', async () => {
    expect((await callsFor('summaries-instance-filter-matches-nothing'))['ListResourceComplianceSummaries']).toBe(3);
  });
});

describe('the pipeline reads several nodes per call: several InstanceId values', () => {
  const DECOYS = ['i-0d0000000000000d1', 'i-0d0000000000000d2'];

  async function readThrough(name: string, variant: SsmVariant, decoys: string[] = DECOYS) {
    const snapshot = load(name);
    const endpoint = await startSnapshotEndpoint({ snapshot, variant });
    try {
      const client = createSsmClient({ region: snapshot.region, endpoint: endpoint.endpoint, credentials, maxAttempts: 1 });
      const warnings: string[] = [];
      const counted: string[] = [];
      const reader = new SsmStateReader({
        client,
        settings: DEFAULT_SETTINGS,
        clock: { now: () => new Date(snapshot.capturedAt) },
        sink: { warn: (message) => warnings.push(message), count: (metric) => counted.push(metric) },
        tags: { tagsOf: async (ids) => new Map(ids.map((id) => [id, {}])) },
      });
      const first = await reader.readSnapshots([...decoys, snapshot.instanceId]);
      // A second read in the same container uses the remembered form straight away.
      const second = await reader.readSnapshots([...decoys, snapshot.instanceId]);
      return { snapshot, first, second, fallbacks: reader.fallbacks.list().map((entry) => entry.id), warnings, counted, calls: Object.fromEntries(endpoint.calls) };
    } finally {
      await endpoint.close();
    }
  }

  test.each(['association-failed.json', 'missing-patches.json', 'pending-reboot.json'])(
    '%s: honoured for the first value only -> found by the cross-check, one node per call from then on, said once',
    async (name) => {
      const { snapshot, first, second, fallbacks, warnings, counted } = await readThrough(name, 'summaries-first-value-only');
      for (const result of [first, second]) {
        expect(result.snapshots.find((entry) => entry.instanceId === snapshot.instanceId)?.complianceSummaries).toEqual(snapshot.complianceSummaries);
      }
      expect(fallbacks).toEqual(['summaries.one-node-per-call']);
      expect(warnings).toHaveLength(1);
      expect(counted).toEqual(['SsmReadFallbacks']);
    },
  );

  test('refused with several values -> one node per call, remembered (the second read sends no multi-value filter)', async () => {
    const { snapshot, first, second, fallbacks, calls } = await readThrough('association-failed.json', 'summaries-several-values-refused');
    for (const result of [first, second]) {
      expect(result.failed).toEqual([]);
      expect(result.snapshots.find((entry) => entry.instanceId === snapshot.instanceId)?.complianceSummaries).toEqual(snapshot.complianceSummaries);
    }
    expect(fallbacks).toEqual(['summaries.one-node-per-call']);
    // Read 1: the refused call + 3 single ones; read 2: 3 single ones.
    expect(calls['ListResourceComplianceSummaries']).toBe(7);
  });

  test('ignored (other nodes come back) -> filtered here, then the account-wide list once per read', async () => {
    const { snapshot, first, second, fallbacks } = await readThrough('custom-noncompliant.json', 'summaries-filters-ignored', [DECOYS[0]!]);
    for (const result of [first, second]) {
      expect(result.snapshots.find((entry) => entry.instanceId === snapshot.instanceId)?.complianceSummaries).toEqual(snapshot.complianceSummaries);
    }
    expect(fallbacks).toEqual(['summaries.no-instance-filter']);
  });
});

describe('npm run diagnose as a real process, endpoints and dummy credentials from the environment', () => {
  test.each(['pending-reboot.json', 'missing-patches.json'])('%s: --instance against the endpoint equals --snapshot', async (name) => {
    const snapshot = rebaseSnapshot(load(name), Date.now());
    const dir = mkdtempSync(join(tmpdir(), 'diagnose-'));
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(snapshot));
    const endpoint = await startSnapshotEndpoint({ snapshot, variant: 'patches-state-filter-model-spelling' });
    try {
      const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
      const env = {
        PATH: process.env['PATH'] ?? '',
        HOME: dir,
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'dummy-secret',
        AWS_ENDPOINT_URL_SSM: endpoint.endpoint,
        AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API: endpoint.endpoint,
        AWS_ENDPOINT_URL_STS: endpoint.endpoint,
      };
      const run = (args: string[]) => promisify(execFile)(tsx, ['bin/diagnose.ts', ...args, '--json'], { cwd: ROOT, env, encoding: 'utf8' });
      const [live, offline] = await Promise.all([run(['--instance', snapshot.instanceId, '--region', snapshot.region ?? 'eu-west-1']), run(['--snapshot', file])]);
      const strip = (text: string) => ({ ...(JSON.parse(text) as Record<string, unknown>), capturedAt: 'compared apart' });
      expect(strip(live.stdout)).toEqual(strip(offline.stdout));
      expect(Date.parse((JSON.parse(live.stdout) as { capturedAt: string }).capturedAt)).toBeGreaterThanOrEqual(Date.parse(snapshot.capturedAt));
      expect(live.stderr).toMatch(/patches.no-state-filter|DescribeInstancePatches without the State filter/);
      expect(endpoint.calls.get('DescribeInstancePatches')).toBe(2);
    } finally {
      await endpoint.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
