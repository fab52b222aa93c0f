/**
 * Fleet simulator CLI (issue 5).
 *
 *   npm run simulate -- --nodes 2000 --seed 7 [--json] [--details] [--hours 24] [--rate 40] [--faults all|none]
 *
 * `--faults all` injects the acting-path faults of sim/faults.ts (lost replies, 5xx after accept, resets,
 * Lambda killed after send, deregistration and tag change mid-batch, slow reads); default none.
 *
 * `--json` prints exactly one JSON object on stdout; without it a readable table. The pipeline's own
 * logs and EMF metrics (Powertools writes them to stdout) are discarded during the run so stdout stays
 * parseable; `--details` prints diagnostics (reads per operation, queue stats, unhealed nodes) on stderr.
 * Use `npm run -s simulate -- … --json | jq` (npm's `-s` keeps its own banner off stdout).
 *
 * Exit codes follow the diagnose CLI: 0 done, 2 bad arguments (the message names the flag), 1 the
 * simulation itself failed.
 */
import { pipelineMetrics, realPipeline, triageContainers } from '../sim/pipeline';
import { runSimulation, type SimulationReport } from '../sim/run';

interface CliOptions {
  nodes: number;
  seed: number;
  json: boolean;
  details: boolean;
  hours: number;
  rate: number;
  faults: 'none' | 'all';
}

const USAGE = 'usage: npm run -s simulate -- [--nodes N] [--seed S] [--json] [--details] [--hours H] [--rate RPS] [--faults all|none]';

/** Bad command line: exit 2, like diagnose. */
class UsageError extends Error {}

function parseArgs(argv: string[]): CliOptions | 'help' {
  const options: CliOptions = { nodes: 2000, seed: 7, json: false, details: false, hours: 24, rate: 40, faults: 'none' };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index];
    const numeric = (name: keyof CliOptions) => {
      const value = Number(argv[index + 1]);
      if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} needs a positive number, got "${argv[index + 1] ?? ''}"`);
      index += 1;
      (options as unknown as Record<string, number>)[name] = value;
    };
    if (flag === '--nodes') numeric('nodes');
    else if (flag === '--seed') numeric('seed');
    else if (flag === '--hours') numeric('hours');
    else if (flag === '--rate') numeric('rate');
    else if (flag === '--faults') {
      const value = argv[index + 1];
      if (value !== 'all' && value !== 'none') throw new UsageError(`--faults takes all or none, got "${value ?? ''}"`);
      options.faults = value;
      index += 1;
    } else if (flag === '--json') options.json = true;
    else if (flag === '--details') options.details = true;
    else if (flag === '--help' || flag === '-h') return 'help';
    else throw new UsageError(`unknown option ${flag} (${USAGE})`);
  }
  if (!Number.isInteger(options.nodes)) throw new UsageError(`--nodes must be an integer, got ${options.nodes}`);
  return options;
}

function table(report: SimulationReport): string {
  const commandsTotal = Object.values(report.commands).reduce((sum, value) => sum + value, 0);
  const rows: [string, string][] = [
    ['nodes', String(report.nodes)],
    ['events', String(report.events)],
    ['ssmReadCalls', String(report.ssmReadCalls)],
    ['ssmReadCallsPerEvent', String(report.ssmReadCallsPerEvent)],
    ['taggingReadCalls', String(report.taggingReadCalls)],
    ['awsReadCallsPerEvent (SSM + tagging)', String(report.awsReadCallsPerEvent)],
    ['throttledCalls', String(report.throttledCalls)],
    ['commands', `${commandsTotal} ${JSON.stringify(report.commands)}`],
    ['duplicateCommands', String(report.duplicateCommands)],
    ['commandsPastGuards / commandsOutsideCaps', `${report.commandsPastGuards} / ${report.commandsOutsideCaps}`],
    ['faultsInjected', JSON.stringify(report.faultsInjected)],
    ['commandsToIneligibleNodes', String(report.commandsToIneligibleNodes)],
    ['rebootCap / maxConcurrentReboots', `${report.rebootCap} / ${report.maxConcurrentReboots}`],
    ['alerts / duplicateAlerts', `${report.alerts} / ${report.duplicateAlerts}`],
    ['eventsLost', String(report.eventsLost)],
    ['deadLettered', String(report.deadLettered)],
    ['nodesNeedingAction / nodesHealed', `${report.nodesNeedingAction} / ${report.nodesHealed}`],
    ['naive commands / reboots / ssmReadCalls', `${report.naive.commands} / ${report.naive.reboots} / ${report.naive.ssmReadCalls}`],
    ['naive / ours (commands)', commandsTotal === 0 ? 'n/a' : `${(report.naive.commands / commandsTotal).toFixed(1)}x`],
    ['wallSeconds', String(report.wallSeconds)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  // The code under test logs every event (Powertools JSON logs + EMF): discard it during the run.
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  let result: Awaited<ReturnType<typeof runSimulation>>;
  try {
    result = await runSimulation({
      nodes: options.nodes,
      seed: options.seed,
      hours: options.hours,
      rateLimit: { ratePerSecond: options.rate, burst: options.rate },
      pipeline: realPipeline,
      faults: options.faults,
      onProgress: options.json ? undefined : (line) => writeErr(`${line}\n`),
    });
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
  if (options.details) {
    const pipeline = Object.fromEntries([...pipelineMetrics.entries()].sort(([a], [b]) => a.localeCompare(b)));
    writeErr(`${JSON.stringify({ ...result.details, triageContainers: triageContainers.started, pipelineMetrics: pipeline }, null, 2)}\n`);
  }
  writeOut(options.json ? `${JSON.stringify(result.report)}\n` : `${table(result.report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
