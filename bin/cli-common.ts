/**
 * What the command-line tools share (diagnose, report, doctor): exit codes, the I/O seam the tests
 * replace, AWS clients with the SDK's default credential chain and endpoint variables, settings and
 * JSON files, AWS error wording, the node tag source, and the one way a CLI ends (runCli).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createSsmClient } from '../lambdas/adapters/ssm-client';
import { FallbackTagSource, TaggingApiTagSource } from '../lambdas/adapters/ssm/node-tags';
import { SsmTagFilterTagSource } from '../lambdas/adapters/ssm/scope-tag-index';
import { ReadFallbacks } from '../lambdas/adapters/ssm/fallback-policy';
import type { Clock } from '../lambdas/ports/runtime';
import { DEFAULT_SETTINGS, type AutopilotSettings } from '../lambdas/domain/settings';
import { parseSettingsInput } from '../lib/config';

export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 2;
export const EXIT_AWS_ERROR = 3;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => Promise<string>;
  writeFile: (path: string, content: string) => Promise<void>;
  /** Where --profile is set (the SDK's default credential chain reads AWS_PROFILE). */
  env: NodeJS.ProcessEnv;
  createSsmClient: (options: { region?: string }) => SSMClient;
  /** The tagging API and STS clients (node tags; the account for the node's ARN). */
  createTaggingClient?: (options: { region?: string }) => Pick<ResourceGroupsTaggingAPIClient, 'send'>;
  accountId?: (options: { region?: string }) => Promise<string>;
  clock?: Clock;
}

/**
 * The tagging API and STS answer quickly or not at all here: a CLI whose account blocks them (or an
 * endpoint that serves SSM only) falls back to SSM after one short try instead of hanging.
 */
const SIDE_CLIENT = { maxAttempts: 2, requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 } } as const;

export function defaultTaggingClient(options: { region?: string }): ResourceGroupsTaggingAPIClient {
  return new ResourceGroupsTaggingAPIClient({ ...SIDE_CLIENT, ...(options.region ? { region: options.region } : {}) });
}

export async function defaultAccountId(options: { region?: string }): Promise<string> {
  const sts = new STSClient({ ...SIDE_CLIENT, ...(options.region ? { region: options.region } : {}) });
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  if (!identity.Account) throw new Error('STS GetCallerIdentity named no account');
  return identity.Account;
}

export const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, 'utf8'),
  writeFile: (path, content) => writeFile(path, content, 'utf8'),
  env: process.env,
  createSsmClient: (options) => createSsmClient(options),
  createTaggingClient: defaultTaggingClient,
  accountId: defaultAccountId,
};

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export async function readJsonFile(io: Pick<CliIo, 'readFile'>, path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (error) {
    throw new CliError(`Cannot read ${what} ${path}: ${error instanceof Error ? error.message : String(error)}`, EXIT_BAD_INPUT);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${what} ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, EXIT_BAD_INPUT);
  }
}

export async function loadSettings(io: Pick<CliIo, 'readFile'>, path: string | undefined): Promise<AutopilotSettings> {
  if (path === undefined) return DEFAULT_SETTINGS;
  const input = await readJsonFile(io, path, 'settings file');
  try {
    return parseSettingsInput(input, `--config ${path}`);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT_BAD_INPUT);
  }
}

export function describeAwsError(message: string): string {
  if (/CredentialsProviderError|Could not load credentials/i.test(message)) {
    return `AWS credentials not found (CredentialsProviderError): configure credentials, or pass --profile <name>. Details: ${message}`;
  }
  if (/Region is missing/i.test(message)) return `AWS region not set: pass --region <region> or set AWS_REGION. Details: ${message}`;
  if (/AccessDenied|not authorized/i.test(message)) return `Access denied by AWS: the caller needs read-only SSM permissions. Details: ${message}`;
  return `AWS error: ${message}`;
}

/** Tagging API first (all tags, Name included); SSM's tag filter when it cannot be reached; else no tags, said loudly. */
export function cliTagSource(
  io: Pick<CliIo, 'createTaggingClient' | 'accountId' | 'stderr'>,
  client: SSMClient,
  settings: AutopilotSettings,
  clock: Clock,
  regionOption: { region?: string },
  fallbacks: ReadFallbacks,
  program = 'diagnose',
) {
  const taggingClient = (io.createTaggingClient ?? defaultTaggingClient)(regionOption);
  const tagging = new TaggingApiTagSource({
    tagging: taggingClient as ResourceGroupsTaggingAPIClient,
    ssm: client,
    region: () => client.config.region(),
    account: () => (io.accountId ?? defaultAccountId)(regionOption),
    clock,
    ttlMs: 60_000,
  });
  const note = (text: string) => io.stderr(`${program}: note: ${text}\n`);
  const ssmFilter = new SsmTagFilterTagSource(client, settings.tagKey, fallbacks);
  const none = {
    tagsOf: async (ids: readonly string[]) => new Map(ids.map((id) => [id, {}])),
  };
  return new FallbackTagSource(
    tagging,
    new FallbackTagSource(ssmFilter, none, (error) =>
      note(`scope tag ${settings.tagKey} unknown (${error instanceof Error ? error.message : String(error)}): the decision below assumes defaultNodeMode=${settings.defaultNodeMode}`),
    ),
    (error) =>
      note(
        `tags not read through the Resource Groups Tagging API (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}): scope tag read through SSM's tag filter, Name tag unknown`,
      ),
  );
}

/**
 * Runs a CLI's body and turns its end into an exit code: a CliError prints its one line, anything
 * else prints the stack (a bug, exit 1). Every CLI ends this way.
 */
export async function runCli(name: string, io: Pick<CliIo, 'stderr'>, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`${name}: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`${name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

/** `node bin/x.ts` (through tsx): run main and set the process exit code. */
export function runAsScript(mod: NodeJS.Module, main: (argv: string[]) => Promise<number>): void {
  if (require.main !== mod) return;
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
