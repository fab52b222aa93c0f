/**
 * How many AWS reads one report over N nodes makes (issue 19: "a 10,000-node report stays inside the
 * read budget"). The report CLI's live mode (bin/report.ts: the scheduled function's lister, reader and
 * detail rule, the same use case) runs against the simulator's fake AWS (sim/aws-fake/) over a seeded
 * fleet of N nodes, and the fake counts every call it serves. The ledger is not part of the CLI: the
 * scheduled function adds one DynamoDB BatchGetItem per 100 nodes (lambdas/adapters/dynamo-ledger.ts).
 *
 *   npm run -s bench:report-reads -- [--nodes 10000] [--seed 7] [--json]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { main, type ReportCliIo } from '../bin/report';
import { createSsmClient } from '../lambdas/adapters/ssm-client';
import { DEFAULT_SETTINGS } from '../lambdas/domain/settings';
import { startFakeAws } from '../sim/aws-fake/server';
import { FakeAws } from '../sim/aws-fake/state';
import { buildFleet, seededRandom } from '../sim/fleet';

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const START_MS = Date.parse('2026-11-21T02:00:00Z');

export interface ReportReads {
  nodes: number;
  /** Single-node CSVs written (non-compliant nodes and nodes with a cause). */
  nodeReports: number;
  /** Rows of the all-node CSV by Compliance status. */
  byStatus: Record<string, number>;
  ssmReadCalls: number;
  taggingReadCalls: number;
  byOperation: Record<string, number>;
  filesWritten: number;
  exitCode: number;
  wallSeconds: number;
}

export async function measureReportReads(nodes: number, seed: number): Promise<ReportReads> {
  const settings = { ...DEFAULT_SETTINGS };
  const fleet = buildFleet({ nodes, seed, startMs: START_MS, tagKey: settings.tagKey });
  const fake = new FakeAws({
    nodes: fleet,
    now: () => START_MS,
    tagKey: settings.tagKey,
    defaultNodeMode: settings.defaultNodeMode,
    random: seededRandom(seed ^ 0x5eed),
    snsFailureRate: 0,
    alertRepeatHours: settings.alertRepeatHours,
    installMinutes: () => 10,
  });
  // No throttling: the count, not the pacing, is measured here (the simulator measures pacing).
  const server = await startFakeAws(fake, { rateLimit: { ratePerSecond: 1_000_000, burst: 1_000_000 } });
  const out = mkdtempSync(join(tmpdir(), 'report-reads-'));
  const config = { region: REGION, endpoint: server.endpoint, credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' } };
  let err = '';
  const io: ReportCliIo = {
    stdout: () => undefined,
    stderr: (text) => (err += text),
    readFile: async () => '',
    readDir: async () => [],
    writeFile: async () => undefined,
    env: {},
    createSsmClient: () => createSsmClient(config),
    createTaggingClient: () => new ResourceGroupsTaggingAPIClient(config),
    accountId: async () => ACCOUNT,
    clock: { now: () => new Date(START_MS) },
  };
  const started = performance.now();
  try {
    const exitCode = await main(['--region', REGION, '--out', out], io);
    if (exitCode !== 0) throw new Error(`report exited ${exitCode}: ${err}`);
    const files = readdirSync(out);
    const csv = readFileSync(join(out, 'all-nodes.csv'), 'utf8').split('\r\n').slice(1).filter((line) => line.length > 0);
    const statusColumn = 9;
    const byStatus: Record<string, number> = {};
    for (const line of csv) {
      // Only the status is needed; the columns before it hold no quoted comma in the simulated fleet.
      const status = line.split(',')[statusColumn] ?? '';
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    }
    return {
      nodes,
      nodeReports: files.filter((file) => file.startsWith('node-')).length,
      byStatus,
      ssmReadCalls: fake.counters.ssmReadCalls,
      taggingReadCalls: fake.counters.taggingReadCalls,
      byOperation: Object.fromEntries(Object.entries(fake.counters.readCallsByOperation).sort(([a], [b]) => a.localeCompare(b))),
      filesWritten: files.length,
      exitCode,
      wallSeconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
    await server.close();
  }
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { nodes: { type: 'string', default: '10000' }, seed: { type: 'string', default: '7' }, json: { type: 'boolean', default: false } },
  });
  void measureReportReads(Number(values.nodes), Number(values.seed)).then(
    (result) => {
      if (values.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `report over ${result.nodes} nodes: ${result.ssmReadCalls} SSM reads + ${result.taggingReadCalls} GetResources ` +
          `(${(result.ssmReadCalls / result.nodes).toFixed(3)} SSM reads per node), ${result.nodeReports} node CSVs, status ${JSON.stringify(result.byStatus)}, ${result.wallSeconds} s\n`,
      );
      for (const [operation, calls] of Object.entries(result.byOperation)) process.stdout.write(`  ${operation.padEnd(36)} ${calls}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
