/** Account-wide facts a batch reads at most once: commands in flight and the change calendar. */
import type { BatchState, TriageDependencies } from './types';
import { describeError } from './types';

export async function inFlightOf(deps: TriageDependencies, batch: BatchState): Promise<{ remediations: number; reboots: number }> {
  if (!batch.inFlight) {
    const state = await deps.ledger.readInFlight();
    batch.inFlight = { remediations: state.remediations, reboots: state.reboots };
  }
  return batch.inFlight;
}

export async function calendarStateOf(deps: TriageDependencies, batch: BatchState, now: Date): Promise<{ state: 'OPEN' | 'CLOSED'; closedBy?: string[] }> {
  if (!batch.calendar) {
    try {
      batch.calendar = await deps.calendar.state(deps.settings.changeCalendarNames, now);
    } catch (error) {
      // A freeze must never be ignored: an unreadable calendar counts as CLOSED.
      deps.sink.count('CalendarReadFailures');
      deps.sink.warn('change calendar unreadable: treated as CLOSED', { error: describeError(error) });
      batch.calendar = { state: 'CLOSED', closedBy: ['unreadable calendar'] };
    }
  }
  return batch.calendar;
}
