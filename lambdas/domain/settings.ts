// Namespace import: `import { z }` keeps zod's whole namespace object (all locales, ~450 KB minified) in the Lambda bundle; this form lets esbuild tree-shake it (~85 KB).
import * as z from 'zod';

/**
 * Runtime settings of the remediation policy and guards. One schema, used three ways:
 *  - `lib/config.ts` validates them from cdk.json context / `-c` flags at synth time;
 *  - the stack passes them to the Lambdas as one JSON env var (`AUTOPILOT_SETTINGS`);
 *  - the diagnose CLI (`--config file.json`) and the simulator parse them the same way.
 * Every field has a documented default (README "Configuration").
 */
export const settingsSchema = z
  .object({
    /** auto: act; dry-run: decide and alert what would be done, change nothing; notify-only: every action becomes NOTIFY. */
    mode: z.enum(['auto', 'dry-run', 'notify-only']).default('auto'),
    /** Tag key that scopes a node: value auto | notify | off. */
    tagKey: z.string().min(1).max(128).default('ComplianceAutopilot'),
    /** Scope of nodes without the tag (or with an unrecognised value). */
    defaultNodeMode: z.enum(['auto', 'notify', 'off']).default('notify'),
    /** RebootOption for INSTALL_PATCHES commands (REBOOT_NODE always uses RebootIfNeeded). */
    installRebootOption: z.enum(['RebootIfNeeded', 'NoReboot']).default('RebootIfNeeded'),
    /** SendCommand delivery timeout (TimeoutSeconds), 30..2592000. */
    commandDeliveryTimeoutSeconds: z.number().int().min(30).max(2592000).default(1800),
    /** After a command ends, no new command to that node for this long. */
    cooldownMinutes: z.number().int().min(0).max(10080).default(60),
    /** At most this many remediation attempts per node and cause inside `attemptWindowHours`... */
    maxAttemptsPerCause: z.number().int().min(1).max(100).default(2),
    /** ...then a REMEDIATION_EXHAUSTED alert instead of another command. */
    attemptWindowHours: z.number().int().min(1).max(720).default(24),
    /** Account-wide cap on remediation commands in flight (installs and reboots). */
    maxRemediationsInFlight: z.number().int().min(1).max(10000).default(50),
    /** Account-wide cap on commands in flight that may reboot a node. */
    maxRebootsInFlight: z.number().int().min(1).max(10000).default(10),
    /** A lock older than this is considered stale (lost follow-up event) and released by the sweep. */
    lockTimeoutMinutes: z.number().int().min(5).max(10080).default(180),
    /** SSM Change Calendar names or ARNs; while any is CLOSED, installs/reboots are deferred. */
    changeCalendarNames: z.array(z.string().min(1)).max(10).default([]),
    /** No reboot of a node whose agent registered or (re)started less than this many minutes ago. */
    minNodeAgeMinutes: z.number().int().min(0).max(1440).default(30),
    /** RERUN_ASSOCIATION via StartAssociationsOnce; off = NOTIFY instead. */
    rerunFailedAssociations: z.boolean().default(false),
    /** PATCH_OPERATION_FAILED: retry the Install (counts against the attempt cap) instead of NOTIFY. */
    retryFailedPatchOperations: z.boolean().default(false),
    /** Same node + cause + evidence alert at most once per this many hours. */
    alertRepeatHours: z.number().int().min(1).max(720).default(24),
    /** A patch scan older than this is reported as PATCH_SCAN_STALE. */
    staleScanHours: z.number().int().min(1).max(8760).default(168),
    /** An AWS-GatherSoftwareInventory association Pending longer than this is "stuck". */
    inventoryStuckMinutes: z.number().int().min(5).max(10080).default(120),
    /**
     * Every node the pipeline knows is re-read from SSM at least this often, even when none of its events
     * can change compliance (software inventory, hash-only association compliance): the safety net for
     * compliance events CloudTrail never delivered and for scans that grow stale. The sweep does it in
     * chunks of 50 nodes; a node whose summary did not change is read in detail at most every 2x this.
     */
    reverifyHours: z.number().int().min(1).max(168).default(6),
  })
  .strict();

export type AutopilotSettings = z.infer<typeof settingsSchema>;

/** Defaults, as documented. */
export const DEFAULT_SETTINGS: AutopilotSettings = settingsSchema.parse({});

/**
 * Parses settings, failing with a message that names every wrong option and its allowed values.
 * `origin` says where the values came from (e.g. "cdk.json context", "--config ./x.json").
 */
export function parseSettings(input: unknown, origin: string): AutopilotSettings {
  const result = settingsSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new Error(`Invalid settings in ${origin}:\n${formatZodIssues(result.error)}`);
}

export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      return `  - ${path}: ${issue.message}`;
    })
    .join('\n');
}
