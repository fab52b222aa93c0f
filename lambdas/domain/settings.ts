// zod/mini: the same validation as classic zod at a fraction of the import cost on a Lambda cold start
// (docs/PERFORMANCE.md, "Bundles"). Mini ships no error messages: the English locale is loaded once here.
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { RUNTIME_MODES } from './policy/runtime-mode';
import { settingsConflicts } from './settings-conflicts';

z.config(en());

const int = (min: number, max: number, fallback: number) => z._default(z.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);

/**
 * Runtime settings of the remediation policy and guards. One schema, used three ways:
 *  - `lib/config.ts` validates them from cdk.json context / `-c` flags at synth time;
 *  - the stack passes them to the Lambdas as one JSON env var (`AUTOPILOT_SETTINGS`);
 *  - the diagnose CLI (`--config file.json`) and the simulator parse them the same way.
 * Every field has a documented default (README "Configuration").
 */
export const settingsSchema = z.strictObject({
  /**
   * auto: act; dry-run: decide and alert what would be done, change nothing; notify-only: every action
   * becomes NOTIFY; paused: acknowledge events, change and alert nothing. The deployed value is the
   * initial value of the live mode parameter, which the functions read (`policy/runtime-mode.ts`).
   */
  mode: z._default(z.enum(RUNTIME_MODES), 'auto'),
  /** Tag key that scopes a node: value auto | notify | off. */
  tagKey: z._default(z.string().check(z.minLength(1), z.maxLength(128)), 'ComplianceAutopilot'),
  /** Scope of nodes without the tag (or with an unrecognised value). */
  defaultNodeMode: z._default(z.enum(['auto', 'notify', 'off']), 'notify'),
  /** RebootOption for INSTALL_PATCHES commands (REBOOT_NODE always uses RebootIfNeeded). */
  installRebootOption: z._default(z.enum(['RebootIfNeeded', 'NoReboot']), 'RebootIfNeeded'),
  /** SendCommand delivery timeout (TimeoutSeconds), 30..2592000. */
  commandDeliveryTimeoutSeconds: int(30, 2592000, 1800),
  /** After a command ends, no new command to that node for this long. */
  cooldownMinutes: int(0, 10080, 60),
  /** At most this many remediation attempts per node and cause inside `attemptWindowHours`... */
  maxAttemptsPerCause: int(1, 100, 2),
  /** ...then a REMEDIATION_EXHAUSTED alert instead of another command. */
  attemptWindowHours: int(1, 720, 24),
  /** Account-wide cap on remediation commands in flight (installs and reboots). */
  maxRemediationsInFlight: int(1, 10000, 50),
  /** Account-wide cap on commands in flight that may reboot a node. */
  maxRebootsInFlight: int(1, 10000, 10),
  /** A lock older than this is considered stale (lost follow-up event) and released by the sweep. */
  lockTimeoutMinutes: int(5, 10080, 180),
  /** SSM Change Calendar names or ARNs; while any is CLOSED, installs/reboots are deferred. */
  changeCalendarNames: z._default(z.array(z.string().check(z.minLength(1))).check(z.maxLength(10)), []),
  /** No reboot of a node whose agent registered or (re)started less than this many minutes ago. */
  minNodeAgeMinutes: int(0, 1440, 30),
  /** RERUN_ASSOCIATION via StartAssociationsOnce; off = NOTIFY instead. */
  rerunFailedAssociations: z._default(z.boolean(), false),
  /** PATCH_OPERATION_FAILED: retry the Install (counts against the attempt cap) instead of NOTIFY. */
  retryFailedPatchOperations: z._default(z.boolean(), false),
  /** Same node + cause + evidence alert at most once per this many hours. */
  alertRepeatHours: int(1, 720, 24),
  /** A patch scan older than this is reported as PATCH_SCAN_STALE. */
  staleScanHours: int(1, 8760, 168),
  /** An AWS-GatherSoftwareInventory association Pending longer than this is "stuck". */
  inventoryStuckMinutes: int(5, 10080, 120),
  /**
   * Every node the pipeline knows is re-read from SSM at least this often, even when none of its events
   * can change compliance (software inventory, hash-only association compliance): the safety net for
   * compliance events CloudTrail never delivered and for scans that grow stale. The sweep does it in
   * chunks of 50 nodes; a node whose summary did not change is read in detail at most every 2x this.
   */
  reverifyHours: int(1, 168, 6),
  /**
   * Minutes the index of the scope tag is reused (DescribeInstanceInformation tag filters cannot be
   * scoped to a set of nodes, so a build costs ceil(tagged nodes / 50) calls per scope value). One
   * container builds it per period and shares it through the ledger table. A new tag value takes
   * effect within this time (twice it while a rebuild is under way); whatever the cache says, IAM checks
   * the tag at call time: SendCommand is denied to nodes tagged `off` / `notify` (lib/permissions.ts).
   */
  scopeTagCacheMinutes: int(1, 60, 15),
  /**
   * Import one AWS Security Hub finding per node and cause (BatchImportFindings into the account's
   * default product), updated when its evidence or the autopilot's action changes and archived when
   * the node heals. Security Hub CSPM must be enabled in the account and region; the grant
   * `securityhub:BatchImportFindings` is added only when this is on.
   */
  securityHubFindings: z._default(z.boolean(), false),
});

export type AutopilotSettings = z.infer<typeof settingsSchema>;

/** Defaults, as documented. */
export const DEFAULT_SETTINGS: AutopilotSettings = settingsSchema.parse({});

/**
 * Parses settings, failing with a message that names every wrong option and its allowed values, then
 * every pair of options that contradict each other (`settingsConflicts`), one line each.
 * `origin` says where the values came from (e.g. "AUTOPILOT_SETTINGS", "--config ./x.json").
 */
export function parseSettings(input: unknown, origin: string): AutopilotSettings {
  const result = settingsSchema.safeParse(input ?? {});
  if (!result.success) throw new Error(`Invalid settings in ${origin}:\n${formatZodIssues(result.error)}`);
  const conflicts = settingsConflicts(result.data);
  if (conflicts.length > 0) {
    throw new Error(`Contradicting settings in ${origin}:\n${conflicts.map((conflict) => `  - ${conflict.message}`).join('\n')}`);
  }
  return result.data;
}

export function formatZodIssues(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      return `  - ${path}: ${issue.message}`;
    })
    .join('\n');
}
