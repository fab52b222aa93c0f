/**
 * The triage's hook into the Security Hub findings step: each node's outcome in the batch becomes
 * the findings input (diagnosis + what the autopilot did, a deregistered node, a node out of scope).
 * Nodes that were not diagnosed (unchanged summary, read failed, back to the queue) are left out:
 * nothing is known to have changed. One call per batch; the step never throws, and a failure here
 * never fails the triage of the nodes.
 */
import type { DeferralGuard } from '../../domain/alerts/types';
import type { NodeAutomation, NodeOutcome as FindingOutcome } from '../../domain/findings/automation';
import type { NodeFindingsInput } from '../../domain/findings/plan';
import type { CauseCode, Decision, Diagnosis } from '../../domain/types';
import type { NodeLedgerRecord } from '../../ports/ledger';
import type { FindingsStep } from '../findings';
import type { NodeOutcome, TriageDependencies } from './types';
import { describeError } from './types';

const GUARDS: readonly DeferralGuard[] = ['CALENDAR_CLOSED', 'REMEDIATION_CAP', 'REBOOT_CAP', 'NODE_TOO_YOUNG', 'COOLDOWN'];

export interface BatchFindingsFacts {
  outcomes: readonly NodeOutcome[];
  evaluated: ReadonlyMap<string, { diagnosis: Diagnosis; decision: Decision }> | undefined;
  /** Nodes SSM does not know (deregistered). */
  unknown: readonly string[];
  /** Ledger records read at the start of the batch (attempts before this evaluation). */
  records: ReadonlyMap<string, NodeLedgerRecord>;
}

export async function syncFindings(deps: TriageDependencies, step: FindingsStep, facts: BatchFindingsFacts): Promise<void> {
  try {
    const inputs = findingInputs(facts, deps.clock.now(), deps.settings.attemptWindowHours);
    if (inputs.length > 0) await step.sync(inputs);
  } catch (error) {
    deps.sink.count('SecurityHubStepFailures');
    deps.sink.error('Security Hub findings step failed: triage unaffected', { error: describeError(error) });
  }
}

export function findingInputs(facts: BatchFindingsFacts, now: Date, attemptWindowHours: number): NodeFindingsInput[] {
  const inputs: NodeFindingsInput[] = [];
  const observedAt = now.toISOString();
  for (const id of new Set(facts.unknown)) inputs.push({ kind: 'DEREGISTERED', instanceId: id, observedAt });
  for (const outcome of facts.outcomes) {
    const evaluated = facts.evaluated?.get(outcome.instanceId);
    if (!evaluated) continue;
    const { diagnosis, decision } = evaluated;
    if (outcome.kind === 'OPTED_OUT') {
      inputs.push({ kind: 'OPTED_OUT', instanceId: outcome.instanceId, observedAt: diagnosis.capturedAt, ...(diagnosis.nodeName ? { nodeName: diagnosis.nodeName } : {}) });
      continue;
    }
    const result = outcomeOf(outcome, facts.records.get(outcome.instanceId), decision, now, attemptWindowHours);
    if (!result) continue;
    inputs.push({ kind: 'EVALUATED', diagnosis, automation: { decision, outcome: result.outcome, attempts: result.attempts } });
  }
  return inputs;
}

/** The outcome as a finding states it, and the attempts per cause this evaluation included. Null: leave the node alone. */
function outcomeOf(
  outcome: NodeOutcome,
  record: NodeLedgerRecord | undefined,
  decision: Decision,
  now: Date,
  windowHours: number,
): { outcome: FindingOutcome; attempts: NodeAutomation['attempts'] } | null {
  const windowStart = now.getTime() - windowHours * 3_600_000;
  const attempts: Partial<Record<CauseCode, number>> = {};
  for (const [cause, times] of Object.entries(record?.attempts ?? {}) as Array<[CauseCode, string[]]>) {
    attempts[cause] = times.filter((time) => Date.parse(time) >= windowStart).length;
  }
  const acted = (): void => {
    for (const cause of decision.causes) attempts[cause] = (attempts[cause] ?? 0) + 1;
  };
  switch (outcome.kind) {
    case 'COMPLIANT':
    case 'NOTIFIED':
      return { outcome: { kind: 'NOTIFIED' }, attempts };
    case 'DRY_RUN':
      return { outcome: { kind: 'DRY_RUN' }, attempts };
    case 'COMMAND_SENT':
      if (!outcome.commandId) return null;
      acted();
      return { outcome: { kind: 'COMMAND_SENT', commandId: outcome.commandId }, attempts };
    case 'ASSOCIATIONS_STARTED':
      acted();
      return { outcome: { kind: 'ASSOCIATIONS_STARTED', associationIds: decision.associationIds ?? [] }, attempts };
    case 'EXHAUSTED': {
      const most = Math.max(0, ...decision.causes.map((cause) => attempts[cause] ?? 0));
      return { outcome: { kind: 'EXHAUSTED', attempts: most, windowHours, reason: outcome.detail ?? 'attempt limit reached' }, attempts };
    }
    case 'DEFERRED': {
      // The triage reports a deferral as "<GUARD>: <reason>" (verdicts.ts).
      const detail = outcome.detail ?? '';
      const separator = detail.indexOf(': ');
      const guard = (separator > 0 ? detail.slice(0, separator) : detail) as DeferralGuard;
      if (!GUARDS.includes(guard)) return null;
      return { outcome: { kind: 'DEFERRED', guard, reason: separator > 0 ? detail.slice(separator + 2) : guard }, attempts };
    }
    default:
      // SKIPPED (a command is in flight: the finding already states it), UNCHANGED, UNKNOWN (a command
      // rejected for the node), READ_FAILED, RETRY: nothing known changed.
      return null;
  }
}
