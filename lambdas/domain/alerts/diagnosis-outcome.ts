/**
 * How a diagnosis alert says what happens next: the subject's phrase and the WHAT WAS DONE lines for
 * each action and outcome (command sent, dry run, notified, deferred, exhausted, skipped). Pure.
 */
import type { RemediationAction } from '../types';
import type { ActionOutcome, DeferralGuard, DiagnosisAlertInput } from './types';

const DEFERRAL_PHRASES: Record<DeferralGuard, string> = {
  CALENDAR_CLOSED: 'change calendar CLOSED',
  REMEDIATION_CAP: 'remediation cap reached',
  REBOOT_CAP: 'reboot cap reached',
  NODE_TOO_YOUNG: 'node booted too recently',
  COOLDOWN: 'cooldown after last command',
};

function actionVerb(action: RemediationAction): string {
  switch (action) {
    case 'REBOOT_NODE':
      return 'rebooting via RunPatchBaseline';
    case 'INSTALL_PATCHES':
      return 'installing patches via RunPatchBaseline';
    case 'RERUN_ASSOCIATION':
      return 're-running failed association';
    case 'NOTIFY':
    case 'NONE':
      return 'needs a human';
  }
}

/** Dry-run phrases, short so the subject keeps the node name (SNS subjects stay under 100 characters). */
function wouldVerb(action: Exclude<RemediationAction, 'NOTIFY' | 'NONE'>): string {
  switch (action) {
    case 'REBOOT_NODE':
      return 'would reboot (RunPatchBaseline)';
    case 'INSTALL_PATCHES':
      return 'would install patches';
    case 'RERUN_ASSOCIATION':
      return 'would re-run association';
  }
}

function commandDescription(action: RemediationAction): string {
  return action === 'REBOOT_NODE'
    ? 'AWS-RunPatchBaseline (Operation=Install, RebootOption=RebootIfNeeded): installs what is missing and reboots'
    : 'AWS-RunPatchBaseline (Operation=Install): installs the missing patches';
}

/** The subject's "what happens next" phrase. */
export function nextPhrase(action: RemediationAction, outcome: ActionOutcome): string {
  switch (outcome.kind) {
    case 'COMMAND_SENT':
    case 'ASSOCIATIONS_STARTED':
      return actionVerb(action);
    case 'DRY_RUN':
      // The subject's tag already says DRY RUN: once is enough, the room goes to the node name.
      return action === 'NOTIFY' || action === 'NONE' ? 'needs a human' : wouldVerb(action);
    case 'NOTIFIED':
      return 'needs a human';
    case 'DEFERRED':
      return `deferred (${DEFERRAL_PHRASES[outcome.guard]})`;
    case 'EXHAUSTED':
      return `gave up after ${outcome.attempts} attempts, needs a human`;
    case 'SKIPPED':
      return 'command already in flight';
  }
}

export function outcomeLines(input: DiagnosisAlertInput): string[] {
  const { decision, outcome } = input;
  switch (outcome.kind) {
    case 'COMMAND_SENT':
      return [
        `Sent command ${outcome.commandId}: ${commandDescription(decision.action)}.`,
          ];
    case 'ASSOCIATIONS_STARTED':
      return [`Re-ran association(s) ${outcome.associationIds.join(', ')} once (StartAssociationsOnce).`];
    case 'DRY_RUN':
      return decision.action === 'NOTIFY' || decision.action === 'NONE'
        ? ['DRY RUN (mode dry-run): nothing was changed. This node needs a human in any mode.']
        : [`DRY RUN (mode dry-run): NOTHING WAS CHANGED. In mode auto the pipeline would have sent ${commandDescription(decision.action)}.`];
    case 'NOTIFIED':
      return ['Nothing was changed on the node: it needs a human.'];
    case 'DEFERRED':
      return [
        `Deferred, not dropped: ${outcome.reason}.`,
        'The scheduled sweep re-evaluates the node and acts once the reason is gone.',
      ];
    case 'EXHAUSTED':
      return [
        `No further command: ${outcome.attempts} remediation attempts in ${outcome.windowHours} h did not make the node compliant (${outcome.reason}).`,
        'The pipeline will not retry this cause inside the window: it needs a human.',
      ];
    case 'SKIPPED':
      return [`No new command: ${outcome.reason}.`];
  }
}
