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
 * Throws an Error naming every wrong option (as `autopilot.<option>`) and what it allows.
 */
export function loadConfig(context: Record<string, unknown>): AutopilotConfig {
  const merged = mergeContext(context);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new Error(
      `Invalid configuration (cdk.json context "${CONTEXT_KEY}" or -c ${CONTEXT_KEY}.<option>=<value>):\n${describeIssues(result.error)}`,
    );
  }
  const infra = {} as Record<string, unknown>;
  const settings = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(result.data)) {
    if (key in settingsSchema.shape) settings[key] = value;
    else infra[key] = value;
  }
  return { infra: infra as InfraOptions, settings: settings as AutopilotSettings };
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
    throw new Error(`Invalid configuration: context "${CONTEXT_KEY}" must be an object, got ${JSON.stringify(base)}`);
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

/** One line per issue: `autopilot.<option>: <problem> (allowed: <values>)`. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `  - ${issue.keys.map((key) => `${CONTEXT_KEY}.${key}`).join(', ')}: unknown option (known: ${Object.keys(ALL_FIELDS).join(', ')})`;
      }
      const option = String(issue.path[0] ?? '');
      const field = ALL_FIELDS[option];
      // A cross-field issue is about the combination, not the option's own range.
      const allowed = field && issue.code !== 'custom' ? describeAllowed(field) : undefined;
      const path = [CONTEXT_KEY, ...issue.path.map(String)].join('.');
      return `  - ${path}: ${issue.message}${allowed ? ` (allowed: ${allowed})` : ''}`;
    })
    .join('\n');
}

/**
 * Human description of what a field accepts, from the schema itself. Core-level (`_zod.def` and its
 * checks): the infra options are classic zod, the runtime settings zod/mini.
 */
function describeAllowed(field: core.$ZodType): string | undefined {
  const inner = unwrap(field);
  const def = inner._zod.def as { type: string; entries?: Record<string, unknown>; checks?: unknown[] };
  if (def.type === 'number') {
    let minimum: number | undefined;
    let maximum: number | undefined;
    let integer = false;
    for (const check of (def.checks ?? []) as Array<{ _zod: { def: { check: string; value?: number; format?: string } } }>) {
      const { check: kind, value, format } = check._zod.def;
      if (kind === 'greater_than') minimum = value;
      else if (kind === 'less_than') maximum = value;
      else if (kind === 'number_format' && format?.includes('int')) integer = true;
    }
    // A refined field (logRetentionDays) lists its values in its own message.
    if (minimum === undefined) return undefined;
    return `${integer ? 'integer' : 'number'} ${minimum}..${maximum ?? 'inf'}`;
  }
  if (def.type === 'boolean') return 'true | false';
  if (def.type === 'enum' && def.entries) return Object.values(def.entries).map(String).join(' | ');
  if (def.type === 'array') return 'a JSON array or a comma-separated list';
  return undefined;
}

function unwrap(schema: core.$ZodType): core.$ZodType {
  let current: core.$ZodType = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: core.$ZodType };
    if ((def.type === 'default' || def.type === 'optional' || def.type === 'nullable') && def.innerType) {
      current = def.innerType;
      continue;
    }
    return current;
  }
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`Invalid configuration: context "${what}" is a string but not JSON: ${text}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Invalid configuration: context "${what}" must be a JSON object`);
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
