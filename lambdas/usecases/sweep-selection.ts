/**
 * Which ledger nodes the sweep looks at again, and how many of those waiting for a cap (pure; the
 * sweep use case, sweep.ts, runs the scan and the evaluations).
 */
import type { DeferralGuard } from '../domain/alerts/types';
import type { AutopilotSettings } from '../domain/settings';
import type { SweepNodeState } from '../ports/sweep';

export type SweepReason = 'STALE_LOCK' | 'DEFERRED' | 'NOT_EVALUATED_AFTER_COMMAND' | 'REVERIFY';

/** Compliance data of a RunPatchBaseline run reaches SSM around the end of the command; leave it time to arrive. */
export const SETTLE_MINUTES_AFTER_COMMAND = 10;

/** Why a ledger node needs another look now, or null. Pure. */
export function sweepReasonOf(
  node: SweepNodeState,
  now: Date,
  settings: Pick<AutopilotSettings, 'attemptWindowHours' | 'reverifyHours'>,
): Exclude<SweepReason, 'STALE_LOCK'> | null {
  if (node.deferral) return 'DEFERRED';
  const afterCommand = commandReasonOf(node, now, settings);
  if (afterCommand) return afterCommand;
  const lastRead = [node.lastCheckedAt, node.lastEvaluatedAt]
    .map((value) => (value ? Date.parse(value) : Number.NaN))
    .filter((value) => !Number.isNaN(value));
  if (lastRead.length > 0 && now.getTime() - Math.max(...lastRead) >= settings.reverifyHours * 3_600_000) return 'REVERIFY';
  return null;
}

/** The cutoff handed to the scanner: nodes last read before it are REVERIFY candidates. */
export function reverifyCutoff(now: Date, settings: Pick<AutopilotSettings, 'reverifyHours'>): string {
  return new Date(now.getTime() - settings.reverifyHours * 3_600_000).toISOString();
}

function commandReasonOf(node: SweepNodeState, now: Date, settings: Pick<AutopilotSettings, 'attemptWindowHours'>): 'NOT_EVALUATED_AFTER_COMMAND' | null {
  if (!node.lastCommandEndedAt) return null;
  const ended = Date.parse(node.lastCommandEndedAt);
  const settled = ended + SETTLE_MINUTES_AFTER_COMMAND * 60_000;
  if (now.getTime() < settled) return null;
  // Older commands are history: the attempt window is over, an event-driven evaluation has long happened or never will.
  if (now.getTime() - ended > settings.attemptWindowHours * 3_600_000) return null;
  const evaluated = node.lastEvaluatedAt ? Date.parse(node.lastEvaluatedAt) : Number.NaN;
  return Number.isNaN(evaluated) || evaluated < settled ? 'NOT_EVALUATED_AFTER_COMMAND' : null;
}

/** Deferrals by a cap on commands in flight (not the calendar, not the node's own age or cooldown). */
export function isCapGuard(guard: DeferralGuard): boolean {
  return guard === 'REBOOT_CAP' || guard === 'REMEDIATION_CAP';
}

/** Re-read at most this many nodes per free cap slot (some turn out healed or changed and take none). */
export const CAP_WAITERS_PER_FREE_SLOT = 2;

/**
 * Nodes deferred by a cap that has room now, oldest deferral first, as many as could take the free
 * slots (CAP_WAITERS_PER_FREE_SLOT each): re-reading all of them would defer all but a few again, and
 * with a fixed `maxRebootsInFlight` those re-reads grow with the fleet (issue 18). Every waiting node
 * gets its turn: the oldest go first, and each command that ends frees a slot for the next sweep.
 * Pure.
 */
export function admitCapWaiting(
  nodes: readonly SweepNodeState[],
  inFlight: { remediations: number; reboots: number },
  settings: Pick<AutopilotSettings, 'maxRemediationsInFlight' | 'maxRebootsInFlight'>,
): { admitted: SweepNodeState[]; waiting: number } {
  const remediationRoom = Math.max(0, settings.maxRemediationsInFlight - inFlight.remediations) * CAP_WAITERS_PER_FREE_SLOT;
  const rebootRoom = Math.max(0, settings.maxRebootsInFlight - inFlight.reboots) * CAP_WAITERS_PER_FREE_SLOT;
  const since = (node: SweepNodeState) => Date.parse(node.deferral?.since ?? '') || 0;
  const oldestFirst = [...nodes].sort((a, b) => since(a) - since(b) || a.instanceId.localeCompare(b.instanceId));
  const admitted: SweepNodeState[] = [];
  let reboots = 0;
  for (const node of oldestFirst) {
    if (admitted.length >= remediationRoom) break;
    if (node.deferral?.guard === 'REBOOT_CAP') {
      if (reboots >= rebootRoom) continue;
      reboots += 1;
    }
    admitted.push(node);
  }
  return { admitted, waiting: nodes.length - admitted.length };
}
