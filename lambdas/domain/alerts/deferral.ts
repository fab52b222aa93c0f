/**
 * Which deferrals page on-call: only a CLOSED change calendar. It can stay closed for days while the
 * node stays non-compliant, so on-call hears about it once per `alertRepeatHours` (the ledger dedupes
 * by fingerprint). The other deferrals clear themselves within minutes to hours without anyone
 * acting: COOLDOWN follows our own command, NODE_TOO_YOUNG ends after `minNodeAgeMinutes`, and the
 * caps free up as commands end (the sweep releases stale locks); alerting them would be noise.
 *
 * Its own module, apart from the alert composition (`diagnosis.ts`): the triage decides this for every deferral, while the
 * composition is only needed when an alert is sent (it loads with the SNS adapter, on first use).
 */
import type { DeferralGuard } from './types';

export function deferralNeedsAlert(guard: DeferralGuard): boolean {
  return guard === 'CALENDAR_CLOSED';
}
