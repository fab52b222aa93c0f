/**
 * LifecyclePublisher over EventBridge PutEvents. PutEvents takes at most 10 entries per call
 * (EventBridge PutEvents API reference) and reports per-entry failures in a 200 response
 * (`FailedEntryCount`, `Entries[i].ErrorCode`): those are logged and counted, never dropped silently.
 */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { toLifecycleEntry, type LifecycleEvent } from '../domain/lifecycle';
import type { LifecyclePublisher } from '../ports/alerts';
import type { OperationalSink } from '../ports/runtime';

export const PUT_EVENTS_MAX_ENTRIES = 10;

export interface FailedLifecycleEvent {
  event: LifecycleEvent;
  errorCode: string;
  errorMessage: string;
}

export interface LifecyclePublishResult {
  published: number;
  failed: FailedLifecycleEvent[];
}

export class EventBridgeLifecyclePublisher implements LifecyclePublisher {
  constructor(
    /** A client, or anything that sends like one (the wiring constructs the client on first use). */
    private readonly client: Pick<EventBridgeClient, 'send'>,
    private readonly eventBusName: string,
    private readonly sink: OperationalSink,
  ) {}

  async publish(events: readonly LifecycleEvent[]): Promise<LifecyclePublishResult> {
    const result: LifecyclePublishResult = { published: 0, failed: [] };
    for (let start = 0; start < events.length; start += PUT_EVENTS_MAX_ENTRIES) {
      const chunk = events.slice(start, start + PUT_EVENTS_MAX_ENTRIES);
      try {
        const response = await this.client.send(
          new PutEventsCommand({ Entries: chunk.map((event) => toLifecycleEntry(event, this.eventBusName)) }),
        );
        // Entries in the response are in request order; a failed one has ErrorCode and no EventId.
        chunk.forEach((event, index) => {
          const entry = response.Entries?.[index];
          if (entry?.ErrorCode || (!entry?.EventId && (response.FailedEntryCount ?? 0) > 0)) {
            result.failed.push({ event, errorCode: entry?.ErrorCode ?? 'Unknown', errorMessage: entry?.ErrorMessage ?? 'no EventId returned' });
          } else {
            result.published += 1;
          }
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const code = error instanceof Error ? error.name : 'Error';
        for (const event of chunk) result.failed.push({ event, errorCode: code, errorMessage: message });
      }
    }
    if (result.failed.length > 0) {
      this.sink.count('LifecycleEventsFailed', result.failed.length);
      this.sink.warn('lifecycle events not published', {
        failed: result.failed.map(({ event, errorCode, errorMessage }) => ({
          detailType: event.detailType,
          instanceId: event.detail.instanceId,
          commandId: event.detail.commandId,
          errorCode,
          errorMessage,
        })),
      });
    }
    if (result.published > 0) this.sink.count('LifecycleEventsPublished', result.published);
    return result;
  }
}
