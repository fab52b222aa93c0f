/**
 * doctor: can this account run the autopilot? Read-only; before and after `cdk deploy`.
 *
 *   npm run doctor -- --region eu-west-1 [--profile p] [--json] [--config settings.json]
 *                     [--stack-name SsmComplianceAutopilot] [--node-role <role name>]...
 *
 * Exit codes: 0 no check failed (warnings allowed); 1 a check failed; 2 bad arguments or settings;
 * 3 AWS error (no credentials, no region, every probe refused).
 * Clients honour the SDK's endpoint variables (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>) and the
 * default credential chain.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { DoctorClients } from '../lambdas/adapters/doctor-probes';
import { createSsmClient } from '../lambdas/adapters/ssm-client';
import type { DoctorCheck } from '../lambdas/domain/doctor/checks';
import { DEFAULT_SETTINGS, parseSettings, type AutopilotSettings } from '../lambdas/domain/settings';
import { systemClock, type Clock } from '../lambdas/ports/runtime';
import { runDoctor, type DoctorReport } from '../lambdas/usecases/doctor';
import { runAsScript } from './cli-common';

export const USAGE = `Usage:
  npm run doctor -- --region <region> [--profile <profile>] [--json] [--config <file>] [--stack-name <name>] [--node-role <role>]...

Options:
  --region <region>     Region to check (default: AWS_REGION / your profile's region).
  --profile <profile>   AWS named profile to use.
  --json                Print one JSON object instead of the readable report.
  --config <file>       AutopilotSettings JSON (tagKey, staleScanHours, changeCalendarNames; default: built-in defaults).
  --stack-name <name>   Stack whose rules and command log group to look for (default: SsmComplianceAutopilot).
  --node-role <role>    An EC2 instance profile's role to check against the command log group (repeatable).
  -h, --help            Show this help.

Exit codes: 0 nothing failed, 1 a check failed, 2 bad arguments/settings, 3 AWS error.`;

export interface DoctorIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => Promise<string>;
  env: NodeJS.ProcessEnv;
  clients: (region: string | undefined) => DoctorClients & { region: () => Promise<string>; account: () => Promise<string> };
  clock?: Clock;
}

function defaultClients(region: string | undefined): ReturnType<DoctorIo['clients']> {
  const config = region ? { region } : {};
  const ssm = createSsmClient(config);
  const sts = new STSClient(config);
  return {
    ssm,
    cloudTrail: new CloudTrailClient(config),
    events: new EventBridgeClient(config),
    iam: new IAMClient(config),
    logs: new CloudWatchLogsClient(config),
    tagging: new ResourceGroupsTaggingAPIClient(config),
    region: () => ssm.config.region(),
    account: async () => (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '',
  };
}

export const defaultIo: DoctorIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, 'utf8'),
  env: process.env,
  clients: defaultClients,
};

const AWS_FATAL = /CredentialsProviderError|Could not load credentials|Region is missing|UnrecognizedClientException|InvalidClientTokenId|ExpiredToken|InvalidSignatureException/;

function render(report: DoctorReport): string {
  const mark: Record<DoctorCheck['verdict'], string> = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL' };
  const lines = [`Readiness of account ${report.account ?? 'unknown'} in ${report.region} for stack ${report.stackName}: ${report.verdict.toUpperCase()}`, ''];
  for (const check of report.checks) {
    lines.push(`${mark[check.verdict]} ${check.id}: ${check.title}`);
    for (const line of check.evidence) lines.push(`       ${line}`);
    if (check.fix) lines.push(`       fix: ${check.fix}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function main(argv: string[], io: DoctorIo = defaultIo): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        region: { type: 'string' },
        profile: { type: 'string' },
        json: { type: 'boolean', default: false },
        config: { type: 'string' },
        'stack-name': { type: 'string', default: 'SsmComplianceAutopilot' },
        'node-role': { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    io.stderr(`doctor: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const stackName = values['stack-name'] ?? 'SsmComplianceAutopilot';
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
    io.stderr(`doctor: --stack-name "${stackName}" is not a stack name\n\n${USAGE}\n`);
    return 2;
  }
  let settings: AutopilotSettings = DEFAULT_SETTINGS;
  if (values.config !== undefined) {
    try {
      settings = parseSettings(JSON.parse(await io.readFile(values.config)) as unknown, `--config ${values.config}`);
    } catch (error) {
      io.stderr(`doctor: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }
  }
  if (values.profile !== undefined) io.env['AWS_PROFILE'] = values.profile;
  let report: DoctorReport;
  try {
    const clients = io.clients(values.region);
    const region = await clients.region();
    const account = await clients.account().catch((error: unknown) => {
      if (error instanceof Error && AWS_FATAL.test(`${error.name}: ${error.message}`)) throw error;
      return undefined;
    });
    report = await runDoctor({ clients, region, account: account || undefined, stackName, settings, nodeRoles: values['node-role'] ?? [], clock: io.clock ?? systemClock });
  } catch (error) {
    io.stderr(`doctor: AWS error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return 3;
  }
  const fatal = report.checks.flatMap((check) => check.evidence).find((line) => line.startsWith('could not check') && AWS_FATAL.test(line));
  if (fatal) {
    io.stderr(`doctor: AWS error: ${fatal}\n`);
    return 3;
  }
  io.stdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
  return report.verdict === 'fail' ? 1 : 0;
}

runAsScript(module, main);
