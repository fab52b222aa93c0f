/**
 * Bundle size and cold-import benchmark of every Lambda handler (issue 5 budgets: bundle <= 700 KB,
 * aim 450 KB; cold import <= 1.5x a bare handler bundling only @aws-sdk/client-ssm, aim 1.2x).
 *
 * Bundling uses the options of `lib/constructs/autopilot-function.ts` (NodejsFunction bundling:
 * ESM, target node22, platform node, minify, no external modules so the SDK is inside, the same
 * createRequire banner, mainFields module,main). Each import is measured in a fresh `node` process
 * (nothing cached), paired with a bare-bundle measurement taken right before it in the same round, so
 * machine noise hits both alike. Ratios are the median over rounds of each pair's ratio (robust to
 * the drift of a shared VM); two figures per bundle: the `import()` time inside the process and the
 * whole process (spawn to exit). A reference bundle with only the four SDK clients the triage needs
 * (`bench/clients-only-handler.ts`) shows how much of a ratio the AWS APIs alone cost.
 *
 *   npm run bench:bundles -- [--rounds 15] [--json]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = join(__dirname, '..');
const HANDLERS_DIR = join(ROOT, 'lambdas', 'handlers');
const BARE_ENTRY = join(__dirname, 'bare-ssm-handler.ts');
const CLIENTS_ONLY_ENTRY = join(__dirname, 'clients-only-handler.ts');
export const SIZE_BUDGET_BYTES = 700 * 1024;
export const RATIO_BUDGET = 1.5;

export function bundle(entry: string, outDir: string): string {
  const outfile = join(outDir, `${basename(entry, '.ts')}.mjs`);
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    target: 'node22',
    platform: 'node',
    minify: true,
    sourcemap: false,
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return outfile;
}

/** One fresh process: returns [import ms, whole-process ms]. */
function measureOnce(bundlePath: string, env: NodeJS.ProcessEnv): [number, number] {
  const probe = `const t=performance.now();await import(${JSON.stringify(bundlePath)});process.stdout.write(String(performance.now()-t));`;
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { env, encoding: 'utf8' });
  const wholeMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`import of ${bundlePath} failed: ${result.stderr}`);
  return [Number.parseFloat(result.stdout), wholeMs];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export interface BundleReport {
  handler: string;
  bytes: number;
  importMsMedian: number;
  processMsMedian: number;
  /** Median over rounds of (this import / the bare import measured right before it). */
  importRatio: number;
  processRatio: number;
  withinSizeBudget: boolean;
  withinRatioBudget: boolean;
}

function main(): void {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const roundsIndex = args.indexOf('--rounds');
  const rounds = roundsIndex >= 0 ? Number.parseInt(args[roundsIndex + 1] ?? '', 10) : 15;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds needs a positive integer');

  const entries = existsSync(HANDLERS_DIR)
    ? readdirSync(HANDLERS_DIR).filter((file) => file.endsWith('.ts')).map((file) => join(HANDLERS_DIR, file))
    : [];
  if (entries.length === 0) throw new Error(`no handler entries in ${HANDLERS_DIR}`);
  const outDir = mkdtempSync(join(tmpdir(), 'autopilot-bench-'));
  // The handlers read their environment at module load (wiring); give them a plausible one.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AUTOPILOT_SETTINGS: '{}',
    ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:autopilot-alerts',
    LEDGER_TABLE_NAME: 'autopilot-ledger',
    COMMAND_LOG_GROUP: '/ssm-compliance-autopilot/SsmComplianceAutopilot/commands',
    EVENT_BUS_NAME: 'default',
    OWN_ROLE_NAMES: 'autopilot-triage-role',
    POWERTOOLS_METRICS_NAMESPACE: 'SsmComplianceAutopilot',
    POWERTOOLS_SERVICE_NAME: 'bench',
  };
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}');
  const bare = bundle(BARE_ENTRY, outDir);
  const bundles = [
    ...entries.map((entry) => ({ handler: basename(entry, '.ts'), path: bundle(entry, outDir) })),
    { handler: '(clients only)', path: bundle(CLIENTS_ONLY_ENTRY, outDir) },
  ];

  const bareTimes: [number, number][] = [];
  const samples = new Map<string, { times: [number, number][]; importRatios: number[]; processRatios: number[] }>(
    bundles.map((entry) => [entry.handler, { times: [], importRatios: [], processRatios: [] }]),
  );
  measureOnce(bare, env); // warm the OS file cache once, not measured
  for (const entry of bundles) measureOnce(entry.path, env);
  for (let round = 0; round < rounds; round += 1) {
    for (const entry of bundles) {
      const reference = measureOnce(bare, env);
      const measured = measureOnce(entry.path, env);
      bareTimes.push(reference);
      const sample = samples.get(entry.handler)!;
      sample.times.push(measured);
      sample.importRatios.push(measured[0] / reference[0]);
      sample.processRatios.push(measured[1] / reference[1]);
    }
  }
  const bareImport = median(bareTimes.map(([importMs]) => importMs));
  const bareProcess = median(bareTimes.map(([, processMs]) => processMs));
  const reports: BundleReport[] = bundles.map((entry) => {
    const sample = samples.get(entry.handler)!;
    const importRatio = median(sample.importRatios);
    const bytes = statSync(entry.path).size;
    return {
      handler: entry.handler,
      bytes,
      importMsMedian: round1(median(sample.times.map(([importMs]) => importMs))),
      processMsMedian: round1(median(sample.times.map(([, processMs]) => processMs))),
      importRatio: round2(importRatio),
      processRatio: round2(median(sample.processRatios)),
      withinSizeBudget: bytes <= SIZE_BUDGET_BYTES,
      withinRatioBudget: importRatio <= RATIO_BUDGET,
    };
  });
  const result = {
    rounds,
    node: process.version,
    bare: { bytes: statSync(bare).size, importMsMedian: round1(bareImport), processMsMedian: round1(bareProcess) },
    handlers: reports,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  console.log(`node ${result.node}, ${rounds} rounds, median of paired ratios; bare = client-ssm only (${kb(result.bare.bytes)})`);
  console.log('handler              size      import ratio  process ratio  budgets (700 KB, 1.5x)');
  for (const report of reports) {
    console.log(
      `${report.handler.padEnd(20)} ${kb(report.bytes).padStart(9)}  ${report.importRatio.toFixed(2).padStart(11)}  ${report.processRatio
        .toFixed(2)
        .padStart(13)}  ${report.withinSizeBudget && report.withinRatioBudget ? 'ok' : 'OVER'}`,
    );
  }
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

if (require.main === module) main();
