/**
 * The sweep's look at every lock no event will settle. A lock is never presumed successful:
 *  - no command ID, no send token, older than RECONCILE_GRACE_MINUTES: the sender died before
 *    writing the token, which precedes SendCommand, so nothing was sent: released, node re-evaluated;
 *  - no command ID, a send token, sent more than RECONCILE_GRACE_MINUTES ago: the reply was lost or
 *    the sender died after sending. The node's RunPatchBaseline invocations since the send are listed
 *    (ListCommandInvocations InvokedAfter); the one whose Comment starts with the token is ADOPTED
 *    (attached; settled at once if it already ended). None listed: SSM provably has no such command
 *    (the grace covers its listing delay), the lock is released and the attempt taken back;
 *  - a command ID, older than `lockTimeoutMinutes` (its status event was lost): its invocation is
 *    read; ended -> settled as the follow-up would (alert on failure, cooldown from now); still
 *    running -> kept; unknown to SSM -> released with a cooldown;
 *  - an association re-run lock left by a dead sender: released with a cooldown (a re-run cannot be
 *    matched; taking it as started is the safe side).
 * A lookup that fails keeps the lock for the next run.
 */
import type { AutopilotSettings } from '../domain/settings';
import type { CommandEnd, CommandFinder, CommandSettler } from '../ports/acting';
import type { CommandLock, RemediationLedger } from '../ports/ledger';
import type { Clock, OperationalSink } from '../ports/runtime';

/** How long an unanswered send waits before "not listed" counts as "not created" (SSM lists are eventually consistent: unverified delay, generous bound). */
export const RECONCILE_GRACE_MINUTES = 5;
/** Look for a command from this long before its send (clock skew between Lambda and SSM). */
const SKEW_MS = 5 * 60_000;
const TERMINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

export interface LockReconciliationDependencies {
  ledger: Pick<RemediationLedger, 'readInFlight' | 'releaseLock' | 'attachCommand' | 'forgetAttempts'>;
  finder: CommandFinder;
  settler: CommandSettler;
  settings: Pick<AutopilotSettings, 'lockTimeoutMinutes'>;
  clock: Clock;
  sink: OperationalSink;
}

type Verdict = 'RELEASED' | 'KEPT' | 'SETTLED';

export async function reconcileLocks(deps: LockReconciliationDependencies, now: Date): Promise<{ released: string[]; inFlight: { remediations: number; reboots: number } }> {
  const inFlight = await deps.ledger.readInFlight();
  const released: string[] = [];
  const graceCutoff = now.getTime() - RECONCILE_GRACE_MINUTES * 60_000;
  const staleCutoff = now.getTime() - deps.settings.lockTimeoutMinutes * 60_000;
  for (const lock of inFlight.locks) {
    let verdict: Verdict = 'KEPT';
    try {
      if (!lock.commandId && Date.parse(lock.sentAt ?? lock.acquiredAt) <= graceCutoff) verdict = await unattached(deps, lock, now);
      else if (lock.commandId && Date.parse(lock.acquiredAt) <= staleCutoff) verdict = await stale(deps, lock, lock.commandId, now);
    } catch (error) {
      deps.sink.count('LockReconciliationFailures');
      deps.sink.warn('lock reconciliation failed: kept for the next sweep', { instanceId: lock.instanceId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
    if (verdict !== 'KEPT') released.push(lock.instanceId);
  }
  const stillHeld = inFlight.locks.filter((lock) => !released.includes(lock.instanceId));
  return { released, inFlight: { remediations: stillHeld.length, reboots: stillHeld.filter((lock) => lock.reboot).length } };
}

async function unattached(deps: LockReconciliationDependencies, lock: CommandLock, now: Date): Promise<Verdict> {
  const { ledger, sink, finder } = deps;
  if (lock.action === 'RERUN_ASSOCIATION') {
    const done = await ledger.releaseLock(lock, { commandEnded: true, at: now });
    if (done) sink.warn('association re-run lock left by a dead sender: released, taken as started', { instanceId: lock.instanceId });
    return done ? 'RELEASED' : 'KEPT';
  }
  if (!lock.sendToken) {
    const done = await ledger.releaseLock(lock, { commandEnded: false, at: now });
    if (done) {
      sink.count('LocksReleasedNeverSent');
      sink.warn('lock without a send token: nothing was sent under it; released', { instanceId: lock.instanceId, acquiredAt: lock.acquiredAt });
    }
    return done ? 'RELEASED' : 'KEPT';
  }
  const after = new Date(Date.parse(lock.sentAt ?? lock.acquiredAt) - SKEW_MS);
  const found = await finder.findByToken(lock.instanceId, lock.sendToken, after);
  if (!found) {
    const done = await ledger.releaseLock(lock, { commandEnded: false, at: now });
    if (done) {
      if (lock.sentAt) await ledger.forgetAttempts(lock.instanceId, lock.causes, lock.sentAt);
      sink.count('UnansweredSendsNotCreated');
      sink.warn('unanswered SendCommand: SSM lists no command with its token; lock released', { instanceId: lock.instanceId, token: lock.sendToken });
    }
    return done ? 'RELEASED' : 'KEPT';
  }
  await ledger.attachCommand(lock, found.commandId);
  sink.count('CommandsAdopted');
  sink.info('command found by its send token and adopted', { instanceId: lock.instanceId, commandId: found.commandId, status: found.status });
  if (!TERMINAL.has(found.status)) return 'KEPT';
  await deps.settler.settle(endOf(lock.instanceId, found.commandId, found.status, now, found.requestedAt));
  return 'SETTLED';
}

async function stale(deps: LockReconciliationDependencies, lock: CommandLock, commandId: string, now: Date): Promise<Verdict> {
  const { ledger, sink, finder } = deps;
  const invocation = await finder.invocation(commandId, lock.instanceId);
  if (!invocation) {
    const done = await ledger.releaseLock(lock, { commandEnded: true, at: now });
    if (done) sink.warn('stale lock: SSM no longer lists its command; released with a cooldown', { instanceId: lock.instanceId, commandId });
    return done ? 'RELEASED' : 'KEPT';
  }
  if (!TERMINAL.has(invocation.status)) {
    sink.count('StaleLocksStillRunning');
    sink.info('lock older than lockTimeoutMinutes, command still running: kept', { instanceId: lock.instanceId, commandId, status: invocation.status });
    return 'KEPT';
  }
  sink.warn('stale lock: its status event was lost; settled from SSM', { instanceId: lock.instanceId, commandId, status: invocation.status });
  await deps.settler.settle(endOf(lock.instanceId, commandId, invocation.status, now, invocation.requestedAt));
  return 'SETTLED';
}

function endOf(instanceId: string, commandId: string, status: string, now: Date, requestedAt?: string): CommandEnd {
  return { instanceId, commandId, status: status as CommandEnd['status'], endedAt: now, ...(requestedAt ? { requestedDateTime: requestedAt } : {}) };
}
