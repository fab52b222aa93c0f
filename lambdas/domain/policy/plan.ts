/**
 * The remediation policy: one decision per node from its diagnosis, its scope tag and the global
 * mode. Pure (also used by the diagnose CLI). The stateful "not now / not again" questions are the
 * guards' job (`guards.ts`); this only says what the causes call for.
 */
import type { AutopilotSettings } from '../settings';
import type { Cause, CauseCode, Decision, Diagnosis, NodeMode, RemediationAction } from '../types';

const NODE_MODES: readonly NodeMode[] = ['auto', 'notify', 'off'];

/** Scope of a node from its tag: the value is compared case-insensitively (tag keys are case-sensitive in AWS). */
export function nodeModeOf(tags: Record<string, string>, settings: Pick<AutopilotSettings, 'tagKey' | 'defaultNodeMode'>): NodeMode {
  const raw = tags[settings.tagKey];
  const value = raw?.trim().toLowerCase();
  return NODE_MODES.find((mode) => mode === value) ?? settings.defaultNodeMode;
}

/** Causes that an Install of AWS-RunPatchBaseline can fix (the reboot comes with RebootIfNeeded). */
function isInstallCause(cause: Cause): boolean {
  return cause.remediation === 'INSTALL_PATCHES' || cause.remediation === 'REBOOT_NODE';
}

export function planRemediation(diagnosis: Diagnosis, tags: Record<string, string>, settings: AutopilotSettings): Decision {
  const nodeMode = nodeModeOf(tags, settings);
  const dryRun = settings.mode === 'dry-run';
  const allCodes = diagnosis.causes.map((cause) => cause.code);

  if (diagnosis.compliant || diagnosis.causes.length === 0) {
    return { action: 'NONE', reason: 'node is compliant: nothing to do', dryRun, nodeMode, causes: [] };
  }
  // The emergency stop (live mode parameter): nothing is changed and nothing alerted.
  if (settings.mode === 'paused') {
    return { action: 'NONE', reason: 'global mode paused: not remediated, not alerted', dryRun, nodeMode, causes: allCodes };
  }
  if (nodeMode === 'off') {
    return {
      action: 'NONE',
      reason: `node opted out (tag ${settings.tagKey}=off): not remediated, not alerted`,
      dryRun,
      nodeMode,
      causes: allCodes,
    };
  }

  const proposed = proposeAction(diagnosis.causes, settings);
  // An unreachable node cannot run a command: any action would only time out.
  if (allCodes.includes('NODE_UNREACHABLE')) {
    return { action: 'NOTIFY', reason: 'node is unreachable (agent not Online): on-call must look at it, no command can run', dryRun, nodeMode, causes: allCodes };
  }
  if (proposed.action === 'NOTIFY') {
    return { action: 'NOTIFY', reason: proposed.reason, dryRun, nodeMode, causes: allCodes };
  }
  if (settings.mode === 'notify-only') {
    return { action: 'NOTIFY', reason: `global mode notify-only: would ${describe(proposed.action)} (${proposed.reason})`, dryRun, nodeMode, causes: allCodes };
  }
  if (nodeMode === 'notify') {
    return { action: 'NOTIFY', reason: `node scope notify (tag ${settings.tagKey}): would ${describe(proposed.action)} (${proposed.reason})`, dryRun, nodeMode, causes: allCodes };
  }
  const notified = diagnosis.causes.filter((cause) => !proposed.causes.includes(cause.code)).map((cause) => cause.code);
  const reason = notified.length > 0 ? `${proposed.reason}; alerting about ${notified.join(', ')}` : proposed.reason;
  return {
    action: proposed.action,
    reason: dryRun ? `dry run: would ${describe(proposed.action)} (${reason})` : reason,
    dryRun,
    nodeMode,
    causes: proposed.causes,
    ...(proposed.associationIds ? { associationIds: proposed.associationIds } : {}),
  };
}

interface Proposal {
  action: RemediationAction;
  reason: string;
  causes: CauseCode[];
  associationIds?: string[];
}

/** What the causes call for, ignoring scope and mode. Installs win over association re-runs. */
function proposeAction(causes: readonly Cause[], settings: AutopilotSettings): Proposal {
  const installCauses = causes.filter((cause) => isInstallCause(cause) || (cause.code === 'PATCH_OPERATION_FAILED' && settings.retryFailedPatchOperations));
  if (installCauses.length > 0) {
    const codes = installCauses.map((cause) => cause.code);
    // RebootIfNeeded reboots when patches are InstalledPendingReboot (AWS-FACTS "Acting").
    const reboot = codes.includes('PENDING_REBOOT') || installCauses.some((cause) => cause.remediation === 'REBOOT_NODE');
    return {
      action: reboot ? 'REBOOT_NODE' : 'INSTALL_PATCHES',
      reason: reboot
        ? `RunPatchBaseline Install with RebootIfNeeded for ${codes.join(', ')}`
        : `RunPatchBaseline Install for ${codes.join(', ')}`,
      causes: codes,
    };
  }
  const associationCauses = causes.filter((cause) => cause.remediation === 'RERUN_ASSOCIATION');
  const associationIds = [...new Set(associationCauses.flatMap((cause) => cause.associationIds ?? []))];
  if (associationCauses.length > 0 && settings.rerunFailedAssociations && associationIds.length > 0) {
    return {
      action: 'RERUN_ASSOCIATION',
      reason: `re-run association(s) ${associationIds.join(', ')} for ${associationCauses.map((cause) => cause.code).join(', ')}`,
      causes: associationCauses.map((cause) => cause.code),
      associationIds,
    };
  }
  const codes = causes.map((cause) => cause.code);
  const why =
    associationCauses.length > 0 && !settings.rerunFailedAssociations
      ? 'association re-runs are disabled (rerunFailedAssociations=false)'
      : 'no automatic fix for these causes';
  return { action: 'NOTIFY', reason: `${codes.join(', ')}: ${why}, alerting on-call`, causes: codes };
}

function describe(action: RemediationAction): string {
  switch (action) {
    case 'INSTALL_PATCHES':
      return 'install patches';
    case 'REBOOT_NODE':
      return 'install patches and reboot if needed';
    case 'RERUN_ASSOCIATION':
      return 're-run the failed association(s)';
    case 'NOTIFY':
      return 'alert on-call';
    case 'NONE':
      return 'do nothing';
  }
}
