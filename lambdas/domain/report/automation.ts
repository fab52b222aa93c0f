/**
 * What the autopilot is doing about a node, from its ledger record (`NodeLedgerRecord` in ports/ledger.ts,
 * structurally: the domain does not import ports). Pure.
 *
 *  - `in flight`: the node's command slot is held (a command was sent or is being sent);
 *  - `exhausted`: a cause the node still has used up `maxAttemptsPerCause` inside `attemptWindowHours`
 *    (the triage sends REMEDIATION_EXHAUSTED instead of another command);
 *  - `deferred (<guard>)`: the last decision was held back by a guard (CALENDAR_CLOSED, caps, ...);
 *  - `none`: nothing recorded.
 */
import type { CauseCode } from '../types';

export interface AutomationFacts {
  attempts: Partial<Record<CauseCode, string[]>>;
  deferral?: { guard: string; reason: string; since: string };
  lock?: { action: string; acquiredAt: string; commandId?: string };
  alerts?: Record<string, { fingerprint: string; sentAt: string }>;
  openCauses?: readonly CauseCode[];
  lastCommandEndedAt?: string;
}

export type AutomationKind = 'in flight' | 'exhausted' | 'deferred' | 'none';

export interface AutomationState {
  kind: AutomationKind;
  /** The column text: `deferred (CALENDAR_CLOSED)`, `in flight`, ... */
  label: string;
  /** Attempts inside the window for the node's current causes. */
  attempts: number;
  /** ISO times of those attempts. */
  attemptTimes: string[];
}

export interface AttemptPolicy {
  maxAttemptsPerCause: number;
  attemptWindowHours: number;
}

export function attemptsInWindow(times: readonly string[] | undefined, now: Date, windowHours: number): string[] {
  const from = now.getTime() - windowHours * 3_600_000;
  return (times ?? []).filter((time) => {
    const at = Date.parse(time);
    return !Number.isNaN(at) && at > from && at <= now.getTime();
  });
}

export function automationState(
  facts: AutomationFacts | undefined,
  causes: readonly CauseCode[],
  policy: AttemptPolicy,
  now: Date,
): AutomationState {
  if (!facts) return { kind: 'none', label: 'none', attempts: 0, attemptTimes: [] };
  const attemptTimes = causes.flatMap((cause) => attemptsInWindow(facts.attempts[cause], now, policy.attemptWindowHours)).sort();
  const base = { attempts: attemptTimes.length, attemptTimes };
  if (facts.lock) return { kind: 'in flight', label: 'in flight', ...base };
  const exhausted = causes.some(
    (cause) => attemptsInWindow(facts.attempts[cause], now, policy.attemptWindowHours).length >= policy.maxAttemptsPerCause,
  );
  if (exhausted) return { kind: 'exhausted', label: 'exhausted', ...base };
  if (facts.deferral) return { kind: 'deferred', label: `deferred (${facts.deferral.guard})`, ...base };
  return { kind: 'none', label: 'none', ...base };
}
