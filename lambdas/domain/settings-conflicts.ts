/**
 * Settings that are each valid alone but contradict each other. Pure: one function over the parsed
 * settings, used wherever settings are parsed (`parseSettings`: the Lambdas' AUTOPILOT_SETTINGS and the
 * diagnose CLI's `--config`) and by `lib/config.ts`, so a contradiction fails `cdk synth`.
 */
import type { AutopilotSettings } from './settings';

/**
 * Execution timeout of AWS-RunPatchBaseline on the node, in seconds. The document takes no
 * execution-timeout parameter (its parameters are Operation, SnapshotId, InstallOverrideList,
 * RebootOption, BaselineOverride, AssociationId; the pipeline sets none of that kind), so the timeout
 * is the one in its steps' `timeoutSeconds`, 7200 (document content as `aws ssm get-document --name
 * AWS-RunPatchBaseline` shows it; no stored public copy was found to cite, see docs/CONFIGURATION.md).
 * A step without one runs under the agent's default of 3600 s (amazon-ssm-agent
 * agent/plugins/pluginutil/pluginutil.go, defaultExecutionTimeoutInSeconds), so 7200 is the bound.
 * SSM marks a command timed out after delivery timeout + execution timeout (SSM user guide,
 * "Understanding command timeout values"): only then is a lock of ours certainly stale.
 */
export const PATCH_DOCUMENT_EXECUTION_TIMEOUT_SECONDS = 7200;

export interface SettingsConflict {
  /** The options that contradict each other; the first is where the message is reported. */
  readonly options: readonly [string, string, ...string[]];
  /** One readable line naming every option involved, their values and why they clash. */
  readonly message: string;
}

type ConflictRule = (settings: AutopilotSettings) => SettingsConflict | null;

/** The sweep frees a lock after lockTimeoutMinutes: it must not free the lock of a command SSM may still run. */
const lockOutlivesCommand: ConflictRule = (s) => {
  const commandSeconds = s.commandDeliveryTimeoutSeconds + PATCH_DOCUMENT_EXECUTION_TIMEOUT_SECONDS;
  const lockSeconds = s.lockTimeoutMinutes * 60;
  if (lockSeconds > commandSeconds) return null;
  return {
    options: ['lockTimeoutMinutes', 'commandDeliveryTimeoutSeconds'],
    message:
      `lockTimeoutMinutes (${s.lockTimeoutMinutes} min = ${lockSeconds} s) must exceed commandDeliveryTimeoutSeconds (${s.commandDeliveryTimeoutSeconds} s)` +
      ` + AWS-RunPatchBaseline's execution timeout (${PATCH_DOCUMENT_EXECUTION_TIMEOUT_SECONDS} s) = ${commandSeconds} s, or the sweep frees the lock of a command SSM may still run;` +
      ` raise lockTimeoutMinutes above ${Math.floor(commandSeconds / 60)} or lower commandDeliveryTimeoutSeconds`,
  };
};

/** Every rebooting command is also a remediation: a reboot cap above the remediation cap never binds. */
const rebootCapWithinRemediationCap: ConflictRule = (s) =>
  s.maxRebootsInFlight <= s.maxRemediationsInFlight
    ? null
    : {
        options: ['maxRebootsInFlight', 'maxRemediationsInFlight'],
        message: `maxRebootsInFlight (${s.maxRebootsInFlight}) must not exceed maxRemediationsInFlight (${s.maxRemediationsInFlight}): every rebooting command is also a remediation, so the reboot cap could never be reached`,
      };

/**
 * Two attempts at one cause are at least `cooldownMinutes` apart (plus the command's own run time). If
 * `maxAttemptsPerCause` of them cannot fit in `attemptWindowHours`, the attempt cap never binds and a
 * cause that persists is retried forever, once per cooldown, without a REMEDIATION_EXHAUSTED alert.
 */
const attemptCapReachable: ConflictRule = (s) => {
  const spanMinutes = (s.maxAttemptsPerCause - 1) * s.cooldownMinutes;
  const windowMinutes = s.attemptWindowHours * 60;
  if (spanMinutes < windowMinutes) return null;
  return {
    options: ['cooldownMinutes', 'attemptWindowHours', 'maxAttemptsPerCause'],
    message:
      `cooldownMinutes (${s.cooldownMinutes}) x (maxAttemptsPerCause (${s.maxAttemptsPerCause}) - 1) = ${spanMinutes} min must be shorter than attemptWindowHours (${s.attemptWindowHours} h = ${windowMinutes} min):` +
      ' otherwise the attempts never all fall inside one window, the attempt cap never binds and a persisting cause is retried forever',
  };
};

/**
 * A node whose events cannot change compliance is re-read only every `reverifyHours`; a scan limit at or
 * below that period cannot be observed in time: the node would be found stale on nearly every re-read,
 * up to a whole period after its limit.
 */
const staleLimitAboveReverify: ConflictRule = (s) =>
  s.staleScanHours > s.reverifyHours
    ? null
    : {
        options: ['staleScanHours', 'reverifyHours'],
        message: `staleScanHours (${s.staleScanHours} h) must be greater than reverifyHours (${s.reverifyHours} h): nodes are re-read only every reverifyHours, so a shorter stale-scan limit cannot be observed in time`,
      };

const RULES: readonly ConflictRule[] = [lockOutlivesCommand, rebootCapWithinRemediationCap, attemptCapReachable, staleLimitAboveReverify];

/** Every contradiction in `settings`, one entry (one line) each; empty when they agree. */
export function settingsConflicts(settings: AutopilotSettings): SettingsConflict[] {
  return RULES.map((rule) => rule(settings)).filter((conflict): conflict is SettingsConflict => conflict !== null);
}
