/**
 * diagnose: why is this node non-compliant, and what would the autopilot do about it?
 *
 *   npm run diagnose -- --instance i-0123456789abcdef0 [--region eu-west-1] [--profile p] [--save-snapshot f.json]
 *   npm run diagnose -- --snapshot examples/pending-reboot.json [--json] [--config settings.json]
 *
 * Live mode makes read-only calls only (the same reader the triage Lambda uses): SSM, and for the
 * node's tags the Resource Groups Tagging API (GetResources) with the account from STS
 * GetCallerIdentity; when those cannot be reached, the scope tag is read through SSM's tag filter and
 * the hostname stands in for the Name tag (said on stderr). Every client honours the SDK's endpoint
 * variables (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SSM, ..._RESOURCE_GROUPS_TAGGING_API, ..._STS) and the
 * default credential chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ...).
 * Exit codes: 0 a diagnosis was made (compliant or not); 2 bad arguments, settings or snapshot;
 * 3 AWS error (credentials, permissions, unknown node, throttling).
 */
import { parseArgs } from 'node:util';
import { ReadFallbacks } from '../lambdas/adapters/ssm/fallback-policy';
import { SsmStateReader } from '../lambdas/adapters/ssm/reader';
import { systemClock } from '../lambdas/ports/runtime';
import { diagnose } from '../lambdas/domain/diagnose';
import { planRemediation } from '../lambdas/domain/policy/plan';
import type { AutopilotSettings } from '../lambdas/domain/settings';
import { parseSnapshot } from '../lambdas/domain/snapshot-schema';
import { findingScope, isAccountId, isRegionName, renderAsff } from './asff-preview';
import {
  CliError,
  cliTagSource,
  defaultIo,
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
import type { Cause, Decision, Diagnosis, NodeSnapshot } from '../lambdas/domain/types';

export type { CliIo };

export const USAGE = `Usage:
  npm run diagnose -- --instance <id> [--region <region>] [--profile <profile>] [--save-snapshot <file>] [--json] [--config <file>]
  npm run diagnose -- --snapshot <file> [--json] [--config <file>]
  npm run diagnose -- (--snapshot <file> | --instance <id>) --asff [--account <id>] [--region <region>] [--config <file>]

Options:
  --instance <id>         Diagnose a live managed node (i-... or mi-...). Read-only SSM calls.
  --region <region>       AWS region of the node (default: AWS_REGION / your profile's region).
  --profile <profile>     AWS named profile to use.
  --save-snapshot <file>  With --instance: also write the snapshot that was read to <file>.
  --snapshot <file>       Diagnose a saved snapshot offline (see examples/).
  --json                  Print one JSON object instead of the readable report.
  --config <file>         AutopilotSettings JSON for the decision (default: built-in defaults).
  --asff                  Print the Security Hub findings (ASFF JSON array) the node would produce now;
                          [] for a compliant node. Account: --account, else AWS_ACCOUNT_ID, else 123456789012.
                          Region: --region, else the snapshot's, else AWS_REGION, else us-east-1.
  --account <id>          With --asff: the 12-digit account the findings are imported into.
  -h, --help              Show this help.

Exit codes: 0 diagnosis made (compliant or not), 2 bad arguments/settings/snapshot, 3 AWS error.`;


interface CliOptions {
  instance?: string;
  region?: string;
  profile?: string;
  saveSnapshot?: string;
  snapshot?: string;
  json: boolean;
  config?: string;
  help: boolean;
  asff: boolean;
  account?: string;
}

function parseCliArgs(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        instance: { type: 'string' },
        region: { type: 'string' },
        profile: { type: 'string' },
        'save-snapshot': { type: 'string' },
        snapshot: { type: 'string' },
        json: { type: 'boolean', default: false },
        config: { type: 'string' },
        asff: { type: 'boolean', default: false },
        account: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`, EXIT_BAD_INPUT);
  }
  const values = parsed.values;
  const options: CliOptions = {
    json: values.json ?? false,
    help: values.help ?? false,
    asff: values.asff ?? false,
    ...(values.account !== undefined ? { account: values.account } : {}),
    ...(values.instance !== undefined ? { instance: values.instance } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    ...(values['save-snapshot'] !== undefined ? { saveSnapshot: values['save-snapshot'] } : {}),
    ...(values.snapshot !== undefined ? { snapshot: values.snapshot } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
  };
  if (options.help) return options;
  const bad = (message: string) => new CliError(`${message}\n\n${USAGE}`, EXIT_BAD_INPUT);
  if (options.instance === undefined && options.snapshot === undefined) throw bad('Give either --instance <id> or --snapshot <file>.');
  if (options.instance !== undefined && options.snapshot !== undefined) throw bad('--instance and --snapshot cannot be used together.');
  if (options.asff && options.json) throw bad('--asff and --json cannot be used together (--asff prints JSON).');
  if (options.account !== undefined && !options.asff) throw bad('--account only applies to --asff.');
  if (options.account !== undefined && !isAccountId(options.account)) throw bad(`--account "${options.account}" is not a 12-digit AWS account ID.`);
  if (options.region !== undefined && !isRegionName(options.region)) throw bad(`--region "${options.region}" is not a region name (e.g. eu-west-1).`);
  if (options.snapshot !== undefined) {
    // With --asff, --region names the findings' region (a snapshot may carry none).
    const snapshotOnly = options.asff ? [] : ([['--region', options.region]] as const);
    for (const [flag, value] of [...snapshotOnly, ['--profile', options.profile], ['--save-snapshot', options.saveSnapshot]] as const) {
      if (value !== undefined) throw bad(`${flag} only applies to --instance.`);
    }
  }
  if (options.instance !== undefined && !/^(i|mi)-[0-9a-f]{8,17}$/.test(options.instance)) {
    throw bad(`--instance "${options.instance}" is not a managed node ID (i-0123456789abcdef0 or mi-0123456789abcdef0).`);
  }
  return options;
}



async function loadSnapshotFile(io: CliIo, path: string): Promise<NodeSnapshot> {
  const input = await readJsonFile(io, path, 'snapshot file');
  try {
    return parseSnapshot(input, path);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT_BAD_INPUT);
  }
}


async function readLiveSnapshot(io: CliIo, options: CliOptions, settings: AutopilotSettings): Promise<NodeSnapshot> {
  const instanceId = options.instance ?? '';
  // The SDK's default credential chain (fromIni inside credential-provider-node) reads AWS_PROFILE.
  if (options.profile !== undefined) io.env['AWS_PROFILE'] = options.profile;
  let result;
  try {
    const regionOption = options.region !== undefined ? { region: options.region } : {};
    const client = io.createSsmClient(regionOption);
    const clock = io.clock ?? systemClock;
    const sink = { warn: (message: string, fields?: Record<string, unknown>) => io.stderr(`diagnose: note: ${message}${fields?.['evidence'] ? ` (${String(fields['evidence'])})` : ''}\n`), count: () => undefined };
    // Each degradation to a documented form is said once on stderr (fallback-policy.ts); stdout stays the report.
    const fallbacks = new ReadFallbacks(sink);
    const tags = cliTagSource(io, client, settings, clock, regionOption, fallbacks);
    const reader = new SsmStateReader({ client, settings, clock, fallbacks, detail: 'always', tags });
    result = await reader.readSnapshots([instanceId]);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new CliError(describeAwsError(message), EXIT_AWS_ERROR);
  }
  const failure = result.failed.find((entry) => entry.instanceId === instanceId);
  if (failure) throw new CliError(describeAwsError(failure.error), EXIT_AWS_ERROR);
  if (result.unknown.includes(instanceId)) {
    throw new CliError(
      `Node ${instanceId} is not known to Systems Manager in ${options.region ?? 'the default region'} (not managed, deregistered, or another region/account).`,
      EXIT_AWS_ERROR,
    );
  }
  const snapshot = result.snapshots.find((entry) => entry.instanceId === instanceId);
  if (!snapshot) throw new CliError(`No snapshot was read for ${instanceId}.`, EXIT_AWS_ERROR);
  if (options.saveSnapshot !== undefined) {
    try {
      await io.writeFile(options.saveSnapshot, `${JSON.stringify(snapshot, null, 2)}\n`);
    } catch (error) {
      throw new CliError(`Cannot write --save-snapshot ${options.saveSnapshot}: ${error instanceof Error ? error.message : String(error)}`, EXIT_BAD_INPUT);
    }
  }
  return snapshot;
}


export interface CliReport {
  instanceId: string;
  /** The Name tag. */
  nodeName?: string;
  /** The hostname, only when there is no Name tag. */
  hostname?: string;
  platform: Diagnosis['platform'];
  capturedAt: string;
  compliant: boolean;
  causes: Array<Pick<Cause, 'code' | 'remediation' | 'severity' | 'summary' | 'evidence' | 'nextSteps' | 'consoleLinks'> & { associationIds?: string[] }>;
  notes: string[];
  decision: Pick<Decision, 'action' | 'reason' | 'dryRun' | 'nodeMode' | 'causes'> & { associationIds?: string[] };
}

export function buildReport(diagnosis: Diagnosis, decision: Decision): CliReport {
  return {
    instanceId: diagnosis.instanceId,
    ...(diagnosis.nodeName !== undefined ? { nodeName: diagnosis.nodeName } : {}),
    ...(diagnosis.hostname !== undefined ? { hostname: diagnosis.hostname } : {}),
    platform: diagnosis.platform,
    capturedAt: diagnosis.capturedAt,
    compliant: diagnosis.compliant,
    causes: diagnosis.causes.map((cause) => ({
      code: cause.code,
      remediation: cause.remediation,
      severity: cause.severity,
      summary: cause.summary,
      evidence: cause.evidence,
      nextSteps: cause.nextSteps,
      consoleLinks: cause.consoleLinks,
      ...(cause.associationIds ? { associationIds: cause.associationIds } : {}),
    })),
    notes: diagnosis.notes ?? [],
    decision: {
      action: decision.action,
      reason: decision.reason,
      dryRun: decision.dryRun,
      nodeMode: decision.nodeMode,
      causes: decision.causes,
      ...(decision.associationIds ? { associationIds: decision.associationIds } : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Readable report (to paste into a ticket)
// ---------------------------------------------------------------------------------------------

function isPatchList(value: unknown): value is { total: number; patches: Record<string, unknown>[]; truncated: boolean } {
  return value !== null && typeof value === 'object' && 'patches' in value && Array.isArray((value as { patches: unknown }).patches);
}

function inline(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(inline).join(', ');
  return Object.entries(value as Record<string, unknown>)
    .filter(([, inner]) => inner !== null && inner !== undefined && inner !== '')
    .map(([key, inner]) => `${key}=${inline(inner)}`)
    .join(', ');
}

function renderEvidence(evidence: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(evidence)) {
    if (isPatchList(value)) {
      lines.push(`    ${key}: ${value.total} total${value.truncated ? ` (first ${value.patches.length} shown)` : ''}`);
      for (const patch of value.patches) {
        const cves = Array.isArray(patch['cveIds']) ? ` ${(patch['cveIds'] as string[]).join(' ')}` : '';
        const kbId = typeof patch['kbId'] === 'string' ? patch['kbId'] : '';
        // Linux titles start with the package name (= KBId); Windows titles end with "(KB...)".
        const kb = kbId && !String(patch['title']).includes(kbId) ? `${kbId} ` : '';
        lines.push(`      - ${kb}${String(patch['title'])} [${String(patch['severity'] ?? 'no severity')}]${cves}`);
      }
    } else if (Array.isArray(value) && value.some((entry) => entry !== null && typeof entry === 'object')) {
      lines.push(`    ${key}:`);
      for (const entry of value) lines.push(`      - ${inline(entry)}`);
    } else {
      lines.push(`    ${key}: ${inline(value)}`);
    }
  }
  return lines;
}

export function renderText(report: CliReport): string {
  const lines: string[] = [];
  const name = report.nodeName ? ` (Name: ${report.nodeName})` : report.hostname ? ` (no Name tag; hostname: ${report.hostname})` : '';
  lines.push(`Node ${report.instanceId}${name} - ${report.platform} - state read ${report.capturedAt}`);
  lines.push(
    report.compliant
      ? 'Status: COMPLIANT (no cause found)'
      : `Status: NON-COMPLIANT (${report.causes.length} cause${report.causes.length === 1 ? '' : 's'})`,
  );
  lines.push(
    `Decision: ${report.decision.action}${report.decision.dryRun ? ' (dry run: nothing would be changed)' : ''} - ${report.decision.reason}`,
  );
  report.causes.forEach((cause, index) => {
    lines.push('');
    lines.push(`${index + 1}. ${cause.code} - severity ${cause.severity} - calls for ${cause.remediation}`);
    lines.push(`   ${cause.summary}`);
    lines.push('   Evidence:');
    lines.push(...renderEvidence(cause.evidence));
    lines.push('   Next steps:');
    for (const step of cause.nextSteps) lines.push(`    - ${step}`);
    if (cause.consoleLinks.length > 0) {
      lines.push('   Console:');
      for (const link of cause.consoleLinks) lines.push(`    - ${link.label}: ${link.url}`);
    }
  });
  if (report.notes.length > 0) {
    lines.push('');
    lines.push('Notes:');
    for (const note of report.notes) lines.push(`  - ${note}`);
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  return runCli('diagnose', io, async () => {
    const options = parseCliArgs(argv);
    if (options.help) {
      io.stdout(`${USAGE}\n`);
      return EXIT_OK;
    }
    const settings = await loadSettings(io, options.config);
    const snapshot =
      options.snapshot !== undefined ? await loadSnapshotFile(io, options.snapshot) : await readLiveSnapshot(io, options, settings);
    const diagnosis = diagnose(snapshot, settings);
    const decision = planRemediation(diagnosis, snapshot.tags ?? {}, settings);
    if (options.asff) {
      const { scope, notes } = findingScope({ ...(options.account ? { account: options.account } : {}), ...(options.region ? { region: options.region } : {}), env: io.env, snapshot });
      for (const note of notes) io.stderr(`diagnose: ${note}\n`);
      io.stdout(renderAsff(diagnosis, decision, scope, (io.clock ?? systemClock).now()));
      return EXIT_OK;
    }
    const report = buildReport(diagnosis, decision);
    io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report));
    return EXIT_OK;
  });
}

runAsScript(module, main);
