/**
 * The safety invariants of issue 14, measured on what the fake SSM ACCEPTED (never on what the code
 * under test says it did):
 *  - commandsPastGuards: a command accepted for a node inside the cooldown after its previous command
 *    ended, or beyond `maxAttemptsPerCause` for one of its causes inside the attempt window (the
 *    causes are read back from the command's Comment, as an auditor would);
 *  - commandsOutsideCaps: a command accepted while the account already had `maxRemediationsInFlight`
 *    commands running (or `maxRebootsInFlight` rebooting ones, for a rebooting command).
 */
import type { AutopilotSettings } from '../../lambdas/domain/settings';
import { CAUSE_CODES } from '../../lambdas/domain/types';

export type GuardLimits = Pick<AutopilotSettings, 'cooldownMinutes' | 'attemptWindowHours' | 'maxAttemptsPerCause' | 'maxRemediationsInFlight' | 'maxRebootsInFlight'>;

export class GuardAudit {
  pastGuards = 0;
  outsideCaps = 0;
  readonly details: string[] = [];
  private readonly lastEndedByNode = new Map<string, number>();
  private readonly sentByNodeCause = new Map<string, number[]>();

  constructor(private readonly limits: GuardLimits) {}

  /** Before the command is recorded: `inFlight` are the commands still running at `nowMs`. */
  onAccepted(instanceId: string, comment: string, reboot: boolean, nowMs: number, inFlight: { all: number; reboots: number }): void {
    const ended = this.lastEndedByNode.get(instanceId);
    if (ended !== undefined && this.limits.cooldownMinutes > 0 && nowMs < ended + this.limits.cooldownMinutes * 60_000) {
      this.flag('past', `${instanceId} inside cooldown (ended ${new Date(ended).toISOString()}, sent ${new Date(nowMs).toISOString()})`);
    }
    const windowStart = nowMs - this.limits.attemptWindowHours * 3_600_000;
    for (const cause of causesOf(comment)) {
      const key = `${instanceId}|${cause}`;
      const times = (this.sentByNodeCause.get(key) ?? []).filter((time) => time >= windowStart);
      if (times.length >= this.limits.maxAttemptsPerCause) this.flag('past', `${instanceId} ${cause}: attempt ${times.length + 1} in ${this.limits.attemptWindowHours} h`);
      this.sentByNodeCause.set(key, [...times, nowMs]);
    }
    if (inFlight.all >= this.limits.maxRemediationsInFlight) this.flag('caps', `${instanceId}: ${inFlight.all} commands already in flight`);
    else if (reboot && inFlight.reboots >= this.limits.maxRebootsInFlight) this.flag('caps', `${instanceId}: ${inFlight.reboots} rebooting commands already in flight`);
  }

  onEnded(instanceId: string, endedMs: number): void {
    this.lastEndedByNode.set(instanceId, Math.max(endedMs, this.lastEndedByNode.get(instanceId) ?? 0));
  }

  private flag(kind: 'past' | 'caps', detail: string): void {
    if (kind === 'past') this.pastGuards += 1;
    else this.outsideCaps += 1;
    if (this.details.length < 20) this.details.push(detail);
  }
}

/** Cause codes named in a command's Comment ("<token> ssm-compliance-autopilot: ACTION for C1, C2"). */
function causesOf(comment: string): string[] {
  const named = new Set(comment.match(/[A-Z_]{6,}/g) ?? []);
  return CAUSE_CODES.filter((code) => named.has(code));
}
