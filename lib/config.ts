/**
 * The one typed, validated configuration of the app: infrastructure options plus the runtime
 * `AutopilotSettings` (schema reused from `lambdas/domain/settings.ts`, not duplicated).
 *
 * Where it comes from (later wins):
 *  1. defaults (docs/CONFIGURATION.md);
 *  2. the `autopilot` object in cdk.json `context` (or `-c autopilot='{"mode":"dry-run"}'`, JSON);
 *  3. flat `-c autopilot.<option>=<value>` flags, e.g. `-c autopilot.triageMaxConcurrency=10`.
 * The CDK CLI passes every `-c` value as a string, so strings are coerced to the option's type
 * (number, boolean, list as JSON array or comma-separated). Reads no `process.env`.
 */
import { z, type core } from 'zod';
import { settingsSchema, type AutopilotSettings } from '../lambdas/domain/settings';
import { settingsConflicts } from '../lambdas/domain/settings-conflicts';
import { ConfigurationError, describeIssues, showValue, suggestOption, unwrap } from './config-messages';

export { ConfigurationError } from './config-messages';

/** The context key holding the configuration object, and the prefix of flat `-c` overrides. */
export const CONTEXT_KEY = 'autopilot';

/** CloudWatch Logs accepts only these retention periods (PutRetentionPolicy `retentionInDays`). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const retentionDays = (fallback: number) =>
  z
    .number()
    .int()
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(fallback);

export const infraOptionsSchema = z.object({
  /** Name of the CloudFormation stack. */
  stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must start with a letter; letters, digits and hyphens, at most 128').default('SsmComplianceAutopilot'),
  /** Create a trail for the CloudTrail-based intake. false = reuse the account's existing trail (a second trail is billed per event). */
  createTrail: z.boolean().default(false),
  /** Days the created trail's log files are kept in its bucket (only with createTrail). */
  trailLogExpirationDays: z.number().int().min(1).max(3650).default(365),
  /** E-mail addresses subscribed to the on-call alert topic. */
  alertEmails: z.array(z.email()).max(50).default([]),
  /** E-mail addresses subscribed to the ops topic (CloudWatch alarms of the pipeline itself). */
  opsEmails: z.array(z.email()).max(50).default([]),
  /** Upper bound of concurrent triage invocations (SQS event source maxConcurrency): bounds the SSM read rate. */
  triageMaxConcurrency: z.number().int().min(2).max(1000).default(5),
  /** Records per triage invocation (SQS batch size). Above 10 a batching window is required. */
  triageBatchSize: z.number().int().min(1).max(10000).default(100),
  /** Seconds the event source waits to fill a batch (0..300). */
  triageBatchingWindowSeconds: z.number().int().min(0).max(300).default(30),
  /** Triage function timeout; the queue's visibility timeout is six times this. */
  triageTimeoutSeconds: z.number().int().min(30).max(900).default(300),
  /** Deliveries of one triage message before it moves to the dead-letter queue. */
  maxReceiveCount: z.number().int().min(1).max(1000).default(5),
  /** Retention of the functions' log groups, in days. */
  logRetentionDays: retentionDays(90),
  /** Minutes between two sweep runs (deferred nodes, stale locks, unhealed nodes). */
  sweepIntervalMinutes: z.number().int().min(1).max(1440).default(15),
  /** Rule on SSM's native "Configuration Compliance State Change" events (no trail needed). */
  enableNativeComplianceEvents: z.boolean().default(true),
  /** Rule on CloudTrail PutComplianceItems / PutInventory calls (needs an enabled trail). */
  enableCloudTrailEvents: z.boolean().default(true),
  /** Scheduled compliance reports (CSV + HTML + daily history) to an S3 bucket the stack creates. */
  reports: z.boolean().default(true),
  /** EventBridge schedule expression of the report run (UTC): `cron(min hour day-of-month month day-of-week year)` or `rate(value unit)`. */
  reportSchedule: z
    .string()
    .regex(/^(cron\((\S+ ){5}\S+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/, 'must be cron(m h dom mon dow year) with 6 fields, or rate(N unit)')
    // EventBridge: "If the value is equal to 1, then the unit must be singular" (Schedule expressions for rules).
    .refine(
      (value) => {
        const rate = /^rate\((\d+) ([a-z]+)\)$/.exec(value);
        return !rate || (rate[1] === '1') === !rate[2]!.endsWith('s');
      },
      { message: 'rate(1 minute|hour|day) is singular, rate(N minutes|hours|days) plural' },
    )
    .default('cron(0 6 * * ? *)'),
  /** Days report objects and the daily history stay in the report bucket. */
  reportRetentionDays: z.number().int().min(31).max(3650).default(400),
});

export type InfraOptions = z.infer<typeof infraOptionsSchema>;

/** Infra options and runtime settings share one flat namespace under `autopilot`. */
const configSchema = z
  .object({ ...infraOptionsSchema.shape, ...settingsSchema.shape })
  .strict()
  .superRefine((config, issue) => {
    if (!config.enableCloudTrailEvents && !config.enableNativeComplianceEvents) {
      issue.addIssue({
        code: 'custom',
        path: ['enableCloudTrailEvents'],
        message: 'at least one of enableCloudTrailEvents / enableNativeComplianceEvents must be true (no intake otherwise)',
      });
    }
    // Lambda rejects an SQS event source with a batch size above 10 and no batching window.
    if (config.triageBatchSize > 10 && config.triageBatchingWindowSeconds < 1) {
      issue.addIssue({
        code: 'custom',
        path: ['triageBatchingWindowSeconds'],
        message: 'must be at least 1 when triageBatchSize is above 10',
      });
    }
    // The sweep is what re-reads quiet nodes: it must run at least once per reverifyHours.
    if (config.sweepIntervalMinutes > config.reverifyHours * 60) {
      issue.addIssue({
        code: 'custom',
        path: ['sweepIntervalMinutes'],
        message: `sweepIntervalMinutes (${config.sweepIntervalMinutes}) must not exceed reverifyHours (${config.reverifyHours} h = ${config.reverifyHours * 60} min): the sweep re-reads quiet nodes, so they would go unread longer than reverifyHours`,
      });
    }
    // Runtime settings that contradict each other (the same check the Lambdas and the CLI run).
    for (const conflict of settingsConflicts(config)) {
      issue.addIssue({ code: 'custom', path: [conflict.options[0]], message: conflict.message });
    }
  });

/** Every option by name, for coercion and error messages. */
const ALL_FIELDS: Record<string, core.$ZodType> = { ...infraOptionsSchema.shape, ...settingsSchema.shape };

export interface AutopilotConfig {
  readonly infra: InfraOptions;
  readonly settings: AutopilotSettings;
}

/**
 * Builds the configuration from the app's context (`app.node.getAllContext()`).
 * Throws a ConfigurationError: one line per wrong option (as `autopilot.<option>`), echoing the value
 * and saying what it allows; `-c` keys that miss the `autopilot.` prefix included.
 */
export function loadConfig(context: Record<string, unknown>): AutopilotConfig {
  const slips = prefixSlips(context);
  const merged = mergeContext(context);
  const result = configSchema.safeParse(merged);
  const problems = [...slips, ...(result.success ? [] : describeIssues(result.error.issues, ALL_FIELDS, merged, `${CONTEXT_KEY}.`))];
  if (problems.length > 0 || !result.success) throw new ConfigurationError(CONFIG_HEADER, problems);
  const infra = {} as Record<string, unknown>;
  const settings = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(result.data)) {
    if (key in settingsSchema.shape) settings[key] = value;
    else infra[key] = value;
  }
  return { infra: infra as InfraOptions, settings: settings as AutopilotSettings };
}

const CONFIG_HEADER = `Invalid configuration (cdk.json context "${CONTEXT_KEY}" or -c ${CONTEXT_KEY}.<option>=<value>):`;

/**
 * `-c mode=dry-run` (no prefix), `-c Autopilot.mode=…`, `-c autopilot-mode=…`: the CDK passes any key,
 * and one the app does not read would deploy the default in silence. A plain key (CDK's own carry
 * `:`, `/` or `@`) that names one of our options, or starts with the context key, is an error.
 */
function prefixSlips(context: Record<string, unknown>): string[] {
  const known = Object.keys(ALL_FIELDS);
  const problems: string[] = [];
  for (const [key, value] of Object.entries(context)) {
    if (key === CONTEXT_KEY || key.startsWith(`${CONTEXT_KEY}.`) || !/^[A-Za-z][A-Za-z0-9._-]*$/.test(key)) continue;
    const ours = new RegExp(`^${CONTEXT_KEY}[^A-Za-z0-9]?`, 'i');
    const bare = key.replace(ours, '');
    const suggestion = suggestOption(bare, known, !ours.test(key));
    if (suggestion) {
      problems.push(`${key}: not read (options take the "${CONTEXT_KEY}." prefix), got ${showValue(value)}; did you mean \`${CONTEXT_KEY}.${suggestion}\`?`);
    } else if (ours.test(key)) {
      problems.push(`${key}: unknown option, got ${showValue(value)} (options are ${CONTEXT_KEY}.<option>; known: ${known.join(', ')})`);
    }
  }
  return problems;
}

/**
 * Runtime settings from a JSON file (the diagnose CLI's `--config`): the same checks and the same
 * wording as `cdk synth`, without the `autopilot.` prefix (the file holds the options themselves).
 */
export function parseSettingsInput(input: unknown, origin: string): AutopilotSettings {
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new ConfigurationError(`Invalid settings in ${origin}:`, [`must be a JSON object of options, got ${showValue(input)}`]);
  }
  const object = (input ?? {}) as Record<string, unknown>;
  const result = settingsSchema.safeParse(object);
  if (!result.success) throw new ConfigurationError(`Invalid settings in ${origin}:`, describeIssues(result.error.issues, settingsSchema.shape, object, ''));
  const conflicts = settingsConflicts(result.data);
  if (conflicts.length > 0) throw new ConfigurationError(`Contradicting settings in ${origin}:`, conflicts.map((conflict) => `${conflict.options[0]}: ${conflict.message}`));
  return result.data;
}

function mergeContext(context: Record<string, unknown>): Record<string, unknown> {
  const base = context[CONTEXT_KEY];
  let merged: Record<string, unknown>;
  if (base === undefined) {
    merged = {};
  } else if (typeof base === 'string') {
    merged = parseJsonObject(base, CONTEXT_KEY);
  } else if (typeof base === 'object' && base !== null && !Array.isArray(base)) {
    merged = { ...(base as Record<string, unknown>) };
  } else {
    throw new ConfigurationError(CONFIG_HEADER, [`${CONTEXT_KEY}: must be an object of options, got ${showValue(base)}`]);
  }
  const prefix = `${CONTEXT_KEY}.`;
  for (const [key, value] of Object.entries(context)) {
    if (key.startsWith(prefix)) merged[key.slice(prefix.length)] = value;
  }
  for (const [key, value] of Object.entries(merged)) {
    const field = ALL_FIELDS[key];
    if (field && typeof value === 'string') merged[key] = coerceString(value, field);
  }
  return merged;
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigurationError(CONFIG_HEADER, [`${what}: a string but not JSON, got ${showValue(text)}`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError(CONFIG_HEADER, [`${what}: must be a JSON object of options, got ${showValue(parsed)}`]);
  }
  return parsed as Record<string, unknown>;
}

/** Base type of a field, looking through `.default()` / `.optional()` wrappers. */
function baseType(schema: core.$ZodType): string {
  return unwrap(schema)._zod.def.type;
}

/** Leaves a string the schema cannot read as-is, so validation reports it with the option name. */
function coerceString(value: string, schema: core.$ZodType): unknown {
  const text = value.trim();
  switch (baseType(schema)) {
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : value;
    case 'boolean':
      if (text === 'true') return true;
      if (text === 'false') return false;
      return value;
    case 'array':
      if (text.startsWith('[')) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return value;
        }
      }
      return text === '' ? [] : text.split(',').map((part) => part.trim());
    default:
      return value;
  }
}
