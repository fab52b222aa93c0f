/**
 * What the autopilot did or will do about one cause, as a finding states it: the decision's action
 * and the guards' outcome for the causes the decision acts on, "alerted, needs a human" for the
 * others (the triage alerts about the causes an action does not fix).
 */
import type { ActionOutcome } from '../alerts/types';
import type { CauseCode, Decision, RemediationAction } from '../types';

/**
 * `PLANNED`: the decision before the guards ran (the diagnose CLI previews findings without the
 * ledger, the calendar or the caps).
 */
export type NodeOutcome = ActionOutcome | { kind: 'PLANNED' };

export interface NodeAutomation {
  decision: Pick<Decision, 'action' | 'causes' | 'dryRun' | 'reason'>;
  outcome: NodeOutcome;
  /** Remediation attempts per cause inside the attempt window (ledger), this evaluation's included. */
  attempts?: Partial<Record<CauseCode, number>>;
}

export type AutomationState = NodeOutcome['kind'];

export interface CauseAutomation {
  action: RemediationAction;
  state: AutomationState;
  dryRun: boolean;
  commandId?: string;
  attempts: number;
  /** One sentence: what was done / will be done. */
  statement: string;
  /**
   * What counts as "the automation changed" for re-import: action, state, deferral guard, command.
   * No free text (a cooldown reason carries minutes that change on every read).
   */
  key: string;
}

export function causeAutomation(cause: CauseCode, automation: NodeAutomation): CauseAutomation {
  const { decision, outcome } = automation;
  const attempts = automation.attempts?.[cause] ?? 0;
  const covered = decision.causes.includes(cause);
  // A cause the decision does not act on is alerted to on-call: it needs a human.
  const action: RemediationAction = covered ? decision.action : 'NOTIFY';
  const effective: NodeOutcome = covered ? outcome : decision.dryRun ? { kind: 'DRY_RUN' } : { kind: 'NOTIFIED' };
  const commandId = effective.kind === 'COMMAND_SENT' ? effective.commandId : undefined;
  const guard = effective.kind === 'DEFERRED' ? effective.guard : '';
  return {
    action,
    state: effective.kind,
    dryRun: decision.dryRun,
    ...(commandId ? { commandId } : {}),
    attempts,
    statement: statementOf(action, effective, decision.reason),
    key: [action, effective.kind, guard, commandId ?? ''].join('|'),
  };
}

function statementOf(action: RemediationAction, outcome: NodeOutcome, reason: string): string {
  switch (outcome.kind) {
    case 'PLANNED':
      return action === 'NOTIFY' || action === 'NONE'
        ? 'The autopilot alerts on-call: this cause needs a human.'
        : `The autopilot plans ${describeAction(action)} (${reason}), subject to its guards (calendar, caps, cooldown, attempt limit).`;
    case 'COMMAND_SENT':
      return `The autopilot sent command ${outcome.commandId}: ${describeAction(action)}.`;
    case 'ASSOCIATIONS_STARTED':
      return `The autopilot re-ran association(s) ${outcome.associationIds.join(', ')} once.`;
    case 'DEFERRED':
      return `The autopilot deferred ${describeAction(action)}: ${outcome.reason}; the sweep acts once that clears.`;
    case 'EXHAUSTED':
      return `The autopilot gave up after ${outcome.attempts} attempts in ${outcome.windowHours} h: this cause needs a human.`;
    case 'DRY_RUN':
      return action === 'NOTIFY' || action === 'NONE'
        ? 'Dry run: the autopilot changed nothing; this cause needs a human in any mode.'
        : `Dry run: the autopilot changed nothing; in mode auto it would run ${describeAction(action)}.`;
    case 'NOTIFIED':
      return 'The autopilot alerted on-call: this cause needs a human.';
    case 'SKIPPED':
      return `The autopilot sent no new command: ${outcome.reason}.`;
  }
}

function describeAction(action: RemediationAction): string {
  switch (action) {
    case 'INSTALL_PATCHES':
      return 'AWS-RunPatchBaseline Install';
    case 'REBOOT_NODE':
      return 'AWS-RunPatchBaseline Install with RebootIfNeeded';
    case 'RERUN_ASSOCIATION':
      return 'a re-run of the failed association';
    case 'NOTIFY':
    case 'NONE':
      return 'no action';
  }
}
