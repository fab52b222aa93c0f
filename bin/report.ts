/**
 * report: the compliance report on demand, the same use case as the scheduled report function
 * (lambdas/usecases/report.ts) written to a local folder instead of S3 (docs/REPORTS.md).
 *
 *   npm run -s report -- --region eu-west-1 [--profile p] --out report-out        live, read-only calls
 *   npm run -s report -- --snapshots examples --out report-out                    offline, saved snapshots
 *   ... --instance i-0123456789abcdef0                                            that node's CSV only
 *
 * Live mode reads the fleet through the reader the Lambdas use (DescribeInstanceInformation to list,
 * summaries 50 nodes a call, detail calls only for nodes whose summary is not clean; node tags through
 * GetResources with the account from STS, SSM's tag filter when those cannot be reached). Read-only:
 * no ledger, no notification. The SDK's default credential chain and endpoint variables apply
 * (AWS_PROFILE, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SSM, ..._RESOURCE_GROUPS_TAGGING_API, ..._STS).
 * Offline mode reads every *.json file of the folder with the snapshot schema; the report's time is the
 * newest snapshot's capturedAt, so the same folder always gives the same files.
 * Exit codes, as diagnose: 0 written; 2 bad arguments, settings or snapshot files; 3 AWS error (the
 * files are still written when only some nodes could not be read; stderr names them).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FileReportStore } from '../lambdas/adapters/file-report-store';
import { SavedSnapshotFleet } from '../lambdas/adapters/saved-snapshots';
import { ReadFallbacks } from '../lambdas/adapters/ssm/fallback-policy';
import { SsmManagedNodeLister } from '../lambdas/adapters/ssm/managed-nodes';
import { SsmStateReader } from '../lambdas/adapters/ssm/reader';
import { isSummaryClean } from '../lambdas/adapters/ssm/summary';
import type { AutopilotSettings } from '../lambdas/domain/settings';
import { parseSnapshot } from '../lambdas/domain/snapshot-schema';
import type { NodeSnapshot } from '../lambdas/domain/types';
import { systemClock, type Clock, type OperationalSink } from '../lambdas/ports/runtime';
import { FLAT_LAYOUT, ReportUseCase, type ReportDependencies, type ReportRunResult } from '../lambdas/usecases/report';
import { isAccountId, isRegionName } from './asff-preview';
import {
  CliError,
  cliTagSource,
  defaultIo as diagnoseIo,
  describeAwsError,
  EXIT_AWS_ERROR,
  EXIT_BAD_INPUT,
  EXIT_OK,
  loadSettings,
  readJsonFile,
  runAsScript,
  runCli,
  type CliIo,
} from './cli-common';

export const USAGE = `Usage:
  npm run -s report -- --region <region> [--profile <profile>] --out <dir> [--instance <id>] [--config <file>]
  npm run -s report -- --snapshots <dir> --out <dir> [--instance <id>] [--account <id>] [--config <file>]

Options:
  --out <dir>             Folder for all-nodes.csv, node-<instanceId>.csv (one per non-compliant node)
                          and report.html (created if missing; files of the same name are replaced).
  --region <region>       Live: read the managed nodes of this region (read-only SSM and tagging calls;
                          default: AWS_REGION / your profile's region). Offline: the Region column for
                          snapshots that carry no region.
  --profile <profile>     Live: AWS named profile to use.
  --snapshots <dir>       Offline: report over the saved snapshots (*.json, as examples/) in <dir>.
  --instance <id>         Only that node: write its node-<id>.csv (even when compliant), nothing else.
  --account <id>          Offline: the Account column (default: AWS_ACCOUNT_ID, else empty). Live: from STS.
  --config <file>         AutopilotSettings JSON for the decisions (default: built-in defaults).
  -h, --help              Show this help.

Exit codes: 0 written, 2 bad arguments/settings/snapshot files, 3 AWS error.`;

export interface ReportCliIo extends CliIo {
  readDir: (path: string) => Promise<string[]>;
}

export const defaultIo: ReportCliIo = { ...diagnoseIo, readDir: (path) => readdir(path) };

interface Options {
  out?: string;
  region?: string;
  profile?: string;
  snapshots?: string;
  instance?: string;
  account?: string;
  config?: string;
  help: boolean;
}

function parseCliArgs(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        region: { type: 'string' },
        profile: { type: 'string' },
        snapshots: { type: 'string' },
        instance: { type: 'string' },
        account: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`, EXIT_BAD_INPUT);
  }
  const options: Options = { help: values.help ?? false };
  for (const key of ['out', 'region', 'profile', 'snapshots', 'instance', 'account', 'config'] as const) {
    const value = values[key];
    if (value !== undefined) options[key] = value;
  }
  if (options.help) return options;
  const bad = (message: string) => new CliError(`${message}\n\n${USAGE}`, EXIT_BAD_INPUT);
  if (options.out === undefined || options.out === '') throw bad('Give --out <dir>.');
  if (options.region !== undefined && !isRegionName(options.region)) throw bad(`--region "${options.region}" is not a region name (e.g. eu-west-1).`);
  if (options.account !== undefined && !isAccountId(options.account)) throw bad(`--account "${options.account}" is not a 12-digit AWS account ID.`);
  if (options.instance !== undefined && !/^(i|mi)-[0-9a-f]{8,17}$/.test(options.instance)) {
    throw bad(`--instance "${options.instance}" is not a managed node ID (i-0123456789abcdef0 or mi-0123456789abcdef0).`);
  }
  if (options.snapshots !== undefined && options.profile !== undefined) throw bad('--profile only applies to the live report (without --snapshots).');
  if (options.snapshots === undefined && options.account !== undefined) throw bad('--account only applies to --snapshots (live reports take the account from STS).');
  return options;
}

/** Every *.json file of the folder, parsed with the snapshot schema; errors name the file (and the field). */
async function loadSnapshotFolder(io: ReportCliIo, folder: string): Promise<NodeSnapshot[]> {
  let names: string[];
  try {
    names = await io.readDir(folder);
  } catch (error) {
    throw new CliError(`Cannot read --snapshots folder ${folder}: ${error instanceof Error ? error.message : String(error)}`, EXIT_BAD_INPUT);
  }
  const files = names.filter((name) => name.endsWith('.json')).sort();
  if (files.length === 0) throw new CliError(`--snapshots folder ${folder} holds no .json snapshot file.`, EXIT_BAD_INPUT);
  const snapshots: NodeSnapshot[] = [];
  const fileOf = new Map<string, string>();
  for (const file of files) {
    const path = join(folder, file);
    const input = await readJsonFile(io, path, 'snapshot file');
    let snapshot: NodeSnapshot;
    try {
      snapshot = parseSnapshot(input, path);
    } catch (error) {
      throw new CliError(error instanceof Error ? error.message : String(error), EXIT_BAD_INPUT);
    }
    const earlier = fileOf.get(snapshot.instanceId);
    if (earlier) throw new CliError(`Snapshot files ${earlier} and ${path} are both for ${snapshot.instanceId}: keep one.`, EXIT_BAD_INPUT);
    fileOf.set(snapshot.instanceId, path);
    snapshots.push(snapshot);
  }
  return snapshots;
}

function stderrSink(io: ReportCliIo): OperationalSink {
  const fields = (extra?: Record<string, unknown>) => (extra && Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : '');
  return {
    count: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (message, extra) => io.stderr(`report: note: ${message}${fields(extra)}\n`),
    error: (message, extra) => io.stderr(`report: error: ${message}${fields(extra)}\n`),
  };
}

type Wiring = Pick<ReportDependencies, 'nodes' | 'reader' | 'account' | 'region' | 'clock' | 'needsDetail'>;

async function offlineWiring(io: ReportCliIo, options: Options, folder: string): Promise<Wiring> {
  const snapshots = await loadSnapshotFolder(io, folder);
  if (options.instance !== undefined && !snapshots.some((snapshot) => snapshot.instanceId === options.instance)) {
    throw new CliError(`No snapshot in ${folder} is for ${options.instance}.`, EXIT_BAD_INPUT);
  }
  const fleet = new SavedSnapshotFleet(snapshots);
  const newest = snapshots.map((snapshot) => snapshot.capturedAt).sort().at(-1) ?? '';
  const at = Number.isNaN(Date.parse(newest)) ? (io.clock ?? systemClock).now() : new Date(newest);
  const regions = [...new Set(snapshots.flatMap((snapshot) => (snapshot.region ? [snapshot.region] : [])))];
  return {
    nodes: fleet,
    reader: fleet,
    account: options.account ?? io.env['AWS_ACCOUNT_ID'] ?? '',
    // Only the rows of snapshots without a region use it (rows.ts: the snapshot's region first).
    region: options.region ?? (regions.length === 1 ? regions[0]! : ''),
    clock: { now: () => at },
  };
}

async function liveWiring(io: ReportCliIo, options: Options, settings: AutopilotSettings, sink: OperationalSink): Promise<Wiring> {
  // The SDK's default credential chain (fromIni inside credential-provider-node) reads AWS_PROFILE.
  if (options.profile !== undefined) io.env['AWS_PROFILE'] = options.profile;
  const regionOption = options.region !== undefined ? { region: options.region } : {};
  const client = io.createSsmClient(regionOption);
  const clock: Clock = io.clock ?? systemClock;
  let region: string;
  try {
    region = await client.config.region();
  } catch (error) {
    throw new CliError(describeAwsError(error instanceof Error ? `${error.name}: ${error.message}` : String(error)), EXIT_AWS_ERROR);
  }
  let account = '';
  try {
    account = await (io.accountId ?? (() => Promise.reject(new Error('no STS'))))(regionOption);
  } catch (error) {
    io.stderr(`report: note: account unknown (STS GetCallerIdentity: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}): the Account column stays empty\n`);
  }
  const fallbacks = new ReadFallbacks(sink);
  const tagIo = { ...io, accountId: account ? async () => account : io.accountId };
  const tags = cliTagSource(tagIo, client, settings, clock, regionOption, fallbacks, 'report');
  return {
    nodes: new SsmManagedNodeLister(client),
    reader: new SsmStateReader({ client, settings, clock, fallbacks, tags, region }),
    account,
    region,
    clock,
    // As the scheduled function: detail calls only for nodes whose summary is not clean; the node asked
    // for always gets them (its CSV lists the patches the reader finds even when it reads compliant).
    needsDetail: options.instance !== undefined ? () => true : (summary, now) => !isSummaryClean(summary, settings.staleScanHours, now),
  };
}

export async function main(argv: string[], io: ReportCliIo = defaultIo): Promise<number> {
  return runCli('report', io, async () => {
    const options = parseCliArgs(argv);
    if (options.help) {
      io.stdout(`${USAGE}\n`);
      return EXIT_OK;
    }
    const out = options.out ?? '';
    const settings = await loadSettings(io, options.config);
    const sink = stderrSink(io);
    const wiring = options.snapshots !== undefined ? await offlineWiring(io, options, options.snapshots) : await liveWiring(io, options, settings, sink);
    const store = new FileReportStore(out);
    const useCase = new ReportUseCase({ ...wiring, store, settings, sink });
    let result: ReportRunResult;
    try {
      result = await useCase.run({
        layout: FLAT_LAYOUT,
        ...(options.instance !== undefined ? { instanceIds: [options.instance], nodeReportsFor: [options.instance], nodeReportsOnly: true } : {}),
      });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      // File system errors (EACCES, ENOSPC, ...) carry a code; everything else came from AWS.
      if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && (error as NodeJS.ErrnoException).syscall) {
        throw new CliError(`Cannot write to --out ${out}: ${message}`, EXIT_BAD_INPUT);
      }
      throw new CliError(describeAwsError(message), EXIT_AWS_ERROR);
    }
    for (const key of result.written) io.stdout(`${store.pathOf(key)}\n`);
    const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
    io.stderr(`report: ${plural(result.nodes, 'node')}, ${result.nonCompliant} non-compliant, ${plural(result.report.nodeCsvs.size, 'node report')} in ${out}\n`);
    if (options.instance !== undefined && result.unknown.includes(options.instance)) {
      throw new CliError(`Node ${options.instance} is not known to Systems Manager in ${wiring.region} (not managed, deregistered, or another region/account).`, EXIT_AWS_ERROR);
    }
    if (result.failed.length > 0) {
      throw new CliError(`${result.failed.length} node(s) could not be read, left out of the report: ${result.failed.join(', ')}`, EXIT_AWS_ERROR);
    }
    return EXIT_OK;
  });
}

runAsScript(module, main);
