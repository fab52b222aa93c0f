/**
 * Sending one chunk of locked nodes, at most one command per lock whatever the network does:
 *  1. a fresh send token is written on every lock and the attempt recorded BEFORE SendCommand
 *     (a crash after the send leaves a lock that the follow-up or the sweep can match to the command);
 *  2. SendCommand runs once (the acting client never retries);
 *  3. SENT: the command ID is attached; REJECTED (a 4xx: nothing was created): a node SSM refuses
 *     (InvalidInstanceId, or AccessDenied from the IAM tag condition) is found (named in the error, or
 *     by splitting the chunk) and dropped, the others are sent in the same run; throttling or another
 *     client error gives every lock back and the nodes go back to the queue;
 *     AMBIGUOUS (no reply, 5xx): the locks are KEPT and the command looked for by its token; found,
 *     it is adopted; not found, the sweep reconciles it later (ledger-reconciliation in sweep.ts):
 *     nothing is sent again for these nodes until SSM provably has no such command.
 */
import { randomUUID } from 'node:crypto';
import type { RejectionReason } from '../../ports/acting';
import { alertRemainingCauses, lifecycleEvent } from './alerting';
import type { BatchState, EvaluationResult, LockedCommand, NodeOutcome, TriageDependencies } from './types';
import { describeError } from './types';

/** Look for an ambiguous command from this long before its send (clock skew between Lambda and SSM). */
export const RECONCILE_SKEW_MS = 5 * 60_000;

export async function sendChunk(deps: TriageDependencies, chunk: readonly LockedCommand[], batch: BatchState): Promise<EvaluationResult> {
  const { ledger, settings, clock, sink } = deps;
  const token = randomUUID();
  const at = clock.now();
  const ready: LockedCommand[] = [];
  const outcomes: NodeOutcome[] = [];
  const retry: string[] = [];
  for (const entry of chunk) {
    try {
      if (await ledger.prepareSend(entry.lock, token, at, settings.attemptWindowHours)) ready.push(entry);
      else outcomes.push({ instanceId: entry.lock.instanceId, kind: 'SKIPPED', detail: 'lock lost before sending' });
    } catch (error) {
      // Nothing sent for this node: give its slot back (the token, if written, names no command).
      await ledger.releaseLock(entry.lock, { commandEnded: false, at: clock.now() }).catch(() => false);
      sink.error('preparing the send failed: back to the queue', { instanceId: entry.lock.instanceId, error: describeError(error) });
      retry.push(entry.lock.instanceId);
      outcomes.push({ instanceId: entry.lock.instanceId, kind: 'RETRY', detail: describeError(error) });
    }
  }
  if (ready.length > 0) {
    const sent = await sendIsolated(deps, ready, token, batch);
    outcomes.push(...sent.outcomes);
    retry.push(...sent.retry);
  }
  return { outcomes, retry };
}

async function sendIsolated(deps: TriageDependencies, entries: readonly LockedCommand[], token: string, batch: BatchState): Promise<EvaluationResult> {
  const first = entries[0];
  if (!first) return { outcomes: [], retry: [] };
  const instanceIds = entries.map((entry) => entry.lock.instanceId);
  let result;
  try {
    result = await deps.remediator.sendPatchCommand({ instanceIds, action: first.item.decision.action, causes: first.item.decision.causes, token });
  } catch (error) {
    // The remediator classifies every SSM answer; a throw here is a bug before any call: nothing sent.
    return giveBack(deps, entries, describeError(error), true);
  }
  if (result.outcome === 'SENT') return adopt(deps, entries, result.commandId, batch, false);
  if (result.outcome === 'AMBIGUOUS') return reconcileNow(deps, entries, token, batch, result.error);
  if (result.reason !== 'INVALID_INSTANCE' && result.reason !== 'ACCESS_DENIED') return giveBack(deps, entries, result.error, true);

  // One or more nodes refused: find them, drop them, send the rest in this run.
  if (entries.length === 1) return refuse(deps, first, result.reason, result.error);
  const named = new Set(result.instanceIds);
  if (named.size > 0) {
    const refused = entries.filter((entry) => named.has(entry.lock.instanceId));
    const rest = entries.filter((entry) => !named.has(entry.lock.instanceId));
    const parts = await Promise.all(refused.map((entry) => refuse(deps, entry, result.reason, result.error)));
    return merge([...parts, await sendIsolated(deps, rest, token, batch)]);
  }
  // Not named: split. Each node is in exactly one half, so it still gets at most one command.
  const middle = Math.ceil(entries.length / 2);
  deps.sink.count('CommandChunksSplit');
  return merge([await sendIsolated(deps, entries.slice(0, middle), token, batch), await sendIsolated(deps, entries.slice(middle), token, batch)]);
}

/** The command exists (sent, or found again by its token): attach it to every lock and do the bookkeeping. */
export async function adopt(deps: TriageDependencies, entries: readonly LockedCommand[], commandId: string, batch: BatchState, reconciled: boolean): Promise<EvaluationResult> {
  const { ledger, sink, clock } = deps;
  const now = clock.now();
  const outcomes: NodeOutcome[] = [];
  if (reconciled) sink.count('CommandsAdopted', entries.length);
  for (const { item, lock } of entries) {
    batch.lifecycle.push(lifecycleEvent(deps, 'Remediation Started', item.diagnosis, item.decision, item.decision.reason, now, commandId));
    outcomes.push({ instanceId: lock.instanceId, kind: 'COMMAND_SENT', commandId, detail: `${item.decision.reason}${reconciled ? ' (found again after an unanswered SendCommand)' : ''}` });
    try {
      await ledger.attachCommand(lock, commandId);
      await ledger.recordEvaluation({ ...item.evaluation, deferral: null });
      await alertRemainingCauses(deps, item.diagnosis, item.decision, { kind: 'COMMAND_SENT', commandId });
    } catch (error) {
      // The command is out and its attempt recorded; the lock carries its token: the follow-up (by the
      // command's Comment) or the sweep attaches it. A retry must not resend (the lock skips it anyway).
      sink.count('BookkeepingFailures');
      sink.error('bookkeeping after SendCommand failed', { instanceId: lock.instanceId, commandId, error: describeError(error) });
    }
  }
  return { outcomes, retry: [] };
}

/** No answer (or a 5xx): look for the command by its token now; the locks stay either way. */
async function reconcileNow(deps: TriageDependencies, entries: readonly LockedCommand[], token: string, batch: BatchState, error: string): Promise<EvaluationResult> {
  const first = entries[0]!;
  const after = new Date(Date.parse(first.lock.sentAt ?? deps.clock.now().toISOString()) - RECONCILE_SKEW_MS);
  try {
    const found = deps.finder ? await deps.finder.findByToken(first.lock.instanceId, token, after) : null;
    if (found) return adopt(deps, entries, found.commandId, batch, true);
  } catch (lookupError) {
    deps.sink.warn('looking for an unanswered command failed: the sweep reconciles it', { token, error: describeError(lookupError) });
  }
  deps.sink.count('SendsAwaitingReconciliation', entries.length);
  deps.sink.warn('SendCommand outcome unknown: locks kept with their token, nothing resent until SSM shows no such command', {
    token,
    instanceIds: entries.map((entry) => entry.lock.instanceId),
    error,
  });
  // Not retried through the queue: a redelivery would find the lock and skip; the sweep settles it.
  return { outcomes: entries.map((entry) => ({ instanceId: entry.lock.instanceId, kind: 'SEND_UNCERTAIN' as const, detail: error })), retry: [] };
}

/** SSM created nothing: the locks go back, the attempts are taken back; `retry` puts the nodes back in the queue. */
async function giveBack(deps: TriageDependencies, entries: readonly LockedCommand[], error: string, retry: boolean): Promise<EvaluationResult> {
  const { ledger, clock, sink } = deps;
  await Promise.all(
    entries.map(async ({ lock }) => {
      await ledger.releaseLock(lock, { commandEnded: false, at: clock.now() });
      if (lock.sentAt) await ledger.forgetAttempts(lock.instanceId, lock.causes, lock.sentAt);
    }),
  );
  const instanceIds = entries.map((entry) => entry.lock.instanceId);
  sink.count('CommandFailures');
  sink.error('SendCommand refused: locks released, nodes back to the queue', { instanceIds, error });
  return { outcomes: instanceIds.map((instanceId) => ({ instanceId, kind: 'RETRY' as const, detail: error })), retry: retry ? instanceIds : [] };
}

/**
 * One node SSM refuses. InvalidInstanceId: deregistered or not Online since the read: dropped (its
 * next event or the sweep reads it again). AccessDenied: the IAM tag condition says the node is not
 * in scope `auto` any more (its tag changed after this container read it; tags are cached for
 * `scopeTagCacheMinutes`): never retried into the DLQ; the attempt stays counted, so a denial that
 * persists on a node still tagged `auto` ends in a REMEDIATION_EXHAUSTED alert instead of a loop; its
 * scope is read again with its next evaluation (not in this run: the tag cache lives in the reader).
 */
async function refuse(deps: TriageDependencies, entry: LockedCommand, reason: RejectionReason, error: string): Promise<EvaluationResult> {
  const { ledger, clock, sink } = deps;
  const { lock } = entry;
  await ledger.releaseLock(lock, { commandEnded: false, at: clock.now() });
  if (reason === 'INVALID_INSTANCE') {
    if (lock.sentAt) await ledger.forgetAttempts(lock.instanceId, lock.causes, lock.sentAt);
    sink.count('UnknownNodes');
    sink.warn('node refused by SendCommand (InvalidInstanceId: deregistered or not Online): dropped, the others are sent', { instanceId: lock.instanceId, error });
    return { outcomes: [{ instanceId: lock.instanceId, kind: 'UNKNOWN', detail: error }], retry: [] };
  }
  sink.count('CommandDeniedNodes');
  sink.warn('node refused by SendCommand (AccessDenied: scope tag changed?): dropped, not retried; the others are sent', { instanceId: lock.instanceId, error });
  return { outcomes: [{ instanceId: lock.instanceId, kind: 'DENIED', detail: error }], retry: [] };
}

function merge(results: readonly EvaluationResult[]): EvaluationResult {
  return { outcomes: results.flatMap((result) => result.outcomes), retry: results.flatMap((result) => result.retry) };
}
