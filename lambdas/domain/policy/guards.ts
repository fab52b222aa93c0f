/**
 * Guards: small named predicates (the ASR pre-processor shape) that stand between a decision and a
 * command. Each is pure over the same facts and says proceed, or why not:
 *  - SKIP: a command for the node is already in flight (a redelivered event must not duplicate it);
 *  - EXHAUSTED: the attempt cap per node and cause is reached inside the window (escalate instead);
 *  - DEFER: not now (cooldown, change calendar CLOSED, node too young to reboot, account caps).
 * The caps are checked here on a read of the counters and again atomically by the ledger's lock.
 */
import type { DeferralGuard } from '../alerts/types';
import type { AutopilotSettings } from '../settings';
import type { CauseCode, Decision } from '../types';

export interface GuardFacts {
  decision: Decision;
  /** The node's ledger record fields the guards read. */
  ledger: {
    firstSeenAt?: string;
    lastCommandEndedAt?: string;
    attempts: Partial<Record<CauseCode, string[]>>;
    lock?: { acquiredAt: string; commandId?: string; action: string };
  };
  inFlight: { remediations: number; reboots: number };
  calendar: { state: 'OPEN' | 'CLOSED'; closedBy?: string[] };
  node: {
    /** DescribeInstanceInformation RegistrationDate (hybrid nodes; ISO). */
    registrationDate?: string;
    /** Oldest activity in the snapshot (ISO): see `nodeTooYoung`. */
    earliestActivityAt?: string;
  };
  now: Date;
  settings: AutopilotSettings;
}

export type GuardVerdict =
  | { kind: 'PROCEED' }
  | { kind: 'SKIP'; reason: string }
  | { kind: 'EXHAUSTED'; attempts: number; windowHours: number; reason: string; causes: CauseCode[] }
  | { kind: 'DEFER'; guard: DeferralGuard; reason: string };

export type Guard = (facts: GuardFacts) => GuardVerdict;

const PROCEED: GuardVerdict = { kind: 'PROCEED' };
const MINUTE_MS = 60_000;

export function isCommandAction(action: Decision['action']): action is 'INSTALL_PATCHES' | 'REBOOT_NODE' {
  return action === 'INSTALL_PATCHES' || action === 'REBOOT_NODE';
}

/** May this command reboot the node? REBOOT_NODE always; INSTALL_PATCHES unless the install option is NoReboot. */
export function mayReboot(decision: Decision, settings: AutopilotSettings): boolean {
  if (decision.action === 'REBOOT_NODE') return true;
  // RebootIfNeeded reboots after any install (AWS-FACTS "Acting").
  return decision.action === 'INSTALL_PATCHES' && settings.installRebootOption === 'RebootIfNeeded';
}

export const commandInFlight: Guard = ({ ledger }) =>
  ledger.lock
    ? { kind: 'SKIP', reason: `a ${ledger.lock.action} command is already in flight (${ledger.lock.commandId ?? 'being sent'}, since ${ledger.lock.acquiredAt})` }
    : PROCEED;

export const attemptCap: Guard = ({ decision, ledger, now, settings }) => {
  const windowStart = now.getTime() - settings.attemptWindowHours * 3_600_000;
  const capped = decision.causes.filter((cause) => attemptsInWindow(ledger.attempts[cause], windowStart) >= settings.maxAttemptsPerCause);
  if (capped.length === 0) return PROCEED;
  const attempts = Math.max(...capped.map((cause) => attemptsInWindow(ledger.attempts[cause], windowStart)));
  return {
    kind: 'EXHAUSTED',
    attempts,
    windowHours: settings.attemptWindowHours,
    causes: capped,
    reason: `${capped.join(', ')} already remediated ${attempts} time(s) in the last ${settings.attemptWindowHours} h (cap ${settings.maxAttemptsPerCause}) and still present`,
  };
};

export const cooldown: Guard = ({ ledger, now, settings }) => {
  if (!ledger.lastCommandEndedAt || settings.cooldownMinutes === 0) return PROCEED;
  const until = Date.parse(ledger.lastCommandEndedAt) + settings.cooldownMinutes * MINUTE_MS;
  return now.getTime() < until
    ? { kind: 'DEFER', guard: 'COOLDOWN', reason: `last command ended at ${ledger.lastCommandEndedAt}; cooldown ${settings.cooldownMinutes} min until ${new Date(until).toISOString()}` }
    : PROCEED;
};

export const changeCalendar: Guard = ({ calendar }) =>
  calendar.state === 'CLOSED'
    ? { kind: 'DEFER', guard: 'CALENDAR_CLOSED', reason: `change calendar CLOSED (${(calendar.closedBy ?? []).join(', ') || 'configured calendar'})` }
    : PROCEED;

/**
 * No reboot of a node that may still be settling (just launched, user data still running). SSM has
 * no boot time for EC2 nodes, so the node's age is how long SSM and the pipeline have known it:
 *  - hybrid nodes: RegistrationDate (a re-registration is a new node);
 *  - otherwise the earliest of the ledger's firstSeenAt and the oldest activity the snapshot shows
 *    (patch OperationStartTime, association ExecutionDate, patch command RequestedDateTime).
 * LastPingDateTime moves with every ping and says nothing about boot, so it is not used. With no
 * signal at all the guard does not block (the node is not known to be young).
 */
export const nodeTooYoung: Guard = ({ decision, ledger, node, now, settings }) => {
  if (!mayReboot(decision, settings) || settings.minNodeAgeMinutes === 0) return PROCEED;
  const known = node.registrationDate ? validTimes([node.registrationDate]) : validTimes([ledger.firstSeenAt, node.earliestActivityAt]);
  if (known.length === 0) return PROCEED;
  const since = Math.min(...known);
  const ageMinutes = (now.getTime() - since) / MINUTE_MS;
  return ageMinutes < settings.minNodeAgeMinutes
    ? { kind: 'DEFER', guard: 'NODE_TOO_YOUNG', reason: `node known for ${Math.max(0, Math.floor(ageMinutes))} min (< ${settings.minNodeAgeMinutes} min): no reboot yet` }
    : PROCEED;
};

export const remediationCap: Guard = ({ inFlight, settings }) =>
  inFlight.remediations >= settings.maxRemediationsInFlight
    ? { kind: 'DEFER', guard: 'REMEDIATION_CAP', reason: `${inFlight.remediations} remediation(s) in flight (cap ${settings.maxRemediationsInFlight})` }
    : PROCEED;

export const rebootCap: Guard = ({ decision, inFlight, settings }) =>
  mayReboot(decision, settings) && inFlight.reboots >= settings.maxRebootsInFlight
    ? { kind: 'DEFER', guard: 'REBOOT_CAP', reason: `${inFlight.reboots} rebooting command(s) in flight (cap ${settings.maxRebootsInFlight})` }
    : PROCEED;

/** Deferral guards that hold for the whole account (not for one node): see `blockedAccountGuards`. */
export const ACCOUNT_DEFERRAL_GUARDS: ReadonlySet<DeferralGuard> = new Set<DeferralGuard>(['REMEDIATION_CAP', 'REBOOT_CAP', 'CALENDAR_CLOSED']);

/**
 * The account-wide deferral guards whose reason holds right now: a cap that is full, a calendar that
 * is CLOSED (pass the calendar only when it was read). A node deferred by one of them would only be
 * deferred again if it were re-read now, so the sweep and the triage leave it alone until it clears.
 * Pure.
 */
export function blockedAccountGuards(facts: {
  inFlight: { remediations: number; reboots: number };
  calendar?: { state: 'OPEN' | 'CLOSED' };
  settings: Pick<AutopilotSettings, 'maxRemediationsInFlight' | 'maxRebootsInFlight'>;
}): Set<DeferralGuard> {
  const blocked = new Set<DeferralGuard>();
  if (facts.inFlight.remediations >= facts.settings.maxRemediationsInFlight) blocked.add('REMEDIATION_CAP');
  if (facts.inFlight.reboots >= facts.settings.maxRebootsInFlight) blocked.add('REBOOT_CAP');
  if (facts.calendar?.state === 'CLOSED') blocked.add('CALENDAR_CLOSED');
  return blocked;
}

/** In order: a duplicate is skipped before anything else; an exhausted cause escalates even during a freeze. */
export const GUARDS: ReadonlyArray<readonly [string, Guard]> = [
  ['commandInFlight', commandInFlight],
  ['attemptCap', attemptCap],
  ['cooldown', cooldown],
  ['changeCalendar', changeCalendar],
  ['nodeTooYoung', nodeTooYoung],
  ['remediationCap', remediationCap],
  ['rebootCap', rebootCap],
];

/**
 * Association re-runs run a document on the association's targets just as a command does: the same
 * guards (a re-run is not a reboot by itself, so the reboot cap and node age do not apply).
 */
export const ASSOCIATION_GUARDS: ReadonlyArray<readonly [string, Guard]> = [
  ['commandInFlight', commandInFlight],
  ['attemptCap', attemptCap],
  ['cooldown', cooldown],
  ['changeCalendar', changeCalendar],
  ['remediationCap', remediationCap],
];

/**
 * The guards over the node's own record, decided again on a fresh read AFTER its lock is taken: the
 * first read may predate a command that started, ended and was counted meanwhile (another handler's).
 * The lock write itself checks the slot and the in-flight caps atomically (ledger `acquireLock`).
 */
export const AFTER_LOCK_GUARDS: ReadonlyArray<readonly [string, Guard]> = [
  ['attemptCap', attemptCap],
  ['cooldown', cooldown],
];

export function recheckAfterLock(facts: Pick<GuardFacts, 'decision' | 'ledger' | 'now' | 'settings'>): GuardVerdict {
  const full: GuardFacts = { ...facts, inFlight: { remediations: 0, reboots: 0 }, calendar: { state: 'OPEN' }, node: {} };
  for (const [, guard] of AFTER_LOCK_GUARDS) {
    const verdict = guard(full);
    if (verdict.kind !== 'PROCEED') return verdict;
  }
  return PROCEED;
}

/**
 * Runs the guards for an acting decision (NOTIFY / NONE and dry runs pass through). The first
 * verdict that is not PROCEED wins.
 */
export function evaluateGuards(facts: GuardFacts): GuardVerdict {
  if (facts.decision.dryRun) return PROCEED;
  const guards = isCommandAction(facts.decision.action) ? GUARDS : facts.decision.action === 'RERUN_ASSOCIATION' ? ASSOCIATION_GUARDS : [];
  for (const [, guard] of guards) {
    const verdict = guard(facts);
    if (verdict.kind !== 'PROCEED') return verdict;
  }
  return PROCEED;
}

function validTimes(values: ReadonlyArray<string | undefined>): number[] {
  return values.filter((value): value is string => !!value).map((value) => Date.parse(value)).filter((time) => !Number.isNaN(time));
}

function attemptsInWindow(times: readonly string[] | undefined, windowStart: number): number {
  return (times ?? []).filter((time) => Date.parse(time) >= windowStart).length;
}
