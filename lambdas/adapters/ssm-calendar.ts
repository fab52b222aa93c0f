/**
 * CalendarReader over SSM GetCalendarState (Change Calendar): OPEN or CLOSED for the configured
 * calendars at a time; the AWS-native way to say "no reboots now" (AWS-FACTS "Acting").
 */
import { GetCalendarStateCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { CalendarReader, CalendarState } from '../ports/acting';

export class SsmCalendarReader implements CalendarReader {
  constructor(private readonly client: SSMClient) {}

  async state(calendarNames: readonly string[], at: Date): Promise<{ state: CalendarState; closedBy?: string[] }> {
    if (calendarNames.length === 0) return { state: 'OPEN' };
    // One call per calendar: a multi-calendar call answers only the combined state, and the alert
    // should name the calendar that is closed.
    const states = await Promise.all(
      calendarNames.map(async (name) => {
        const response = await this.client.send(new GetCalendarStateCommand({ CalendarNames: [name], AtTime: at.toISOString() }));
        return { name, state: response.State };
      }),
    );
    // Anything but OPEN (CLOSED, or a state we do not know) closes: a freeze must never be ignored.
    const closedBy = states.filter((entry) => entry.state !== 'OPEN').map((entry) => entry.name);
    return closedBy.length > 0 ? { state: 'CLOSED', closedBy } : { state: 'OPEN' };
  }
}
