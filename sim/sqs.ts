/**
 * SQS standard queue + Lambda event source semantics, in simulated time:
 *  - at-least-once: a fraction of messages is delivered twice (`duplicateRate`);
 *  - batches of up to `batchSize` records, formed when the batch is full or the oldest visible message
 *    waited `batchingWindowSeconds`; at most `maxConcurrency` batches per poll round;
 *  - partial batch failures (`batchItemFailures`): those messages become visible again after the
 *    visibility timeout, and move to the DLQ once received `maxReceiveCount` times;
 *  - an invocation that throws fails its whole batch the same way.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export interface QueueOptions {
  batchSize: number;
  batchingWindowSeconds: number;
  maxConcurrency: number;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  duplicateRate: number;
  random: () => number;
  queueArn: string;
}

interface QueuedMessage {
  messageId: string;
  body: string;
  sentMs: number;
  visibleAtMs: number;
  receiveCount: number;
  /** The original message ID: a duplicate delivery is the same message (same body) with its own receipt. */
  originalId: string;
}

export type BatchHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface QueueStats {
  sent: number;
  duplicatesInjected: number;
  deliveries: number;
  deleted: number;
  deadLettered: number;
  invocations: number;
  invocationErrors: number;
  redeliveries: number;
  maxAgeSeconds: number;
}

export class SimulatedQueue {
  private messages: QueuedMessage[] = [];
  private sequence = 0;
  readonly stats: QueueStats = {
    sent: 0,
    duplicatesInjected: 0,
    deliveries: 0,
    deleted: 0,
    deadLettered: 0,
    invocations: 0,
    invocationErrors: 0,
    redeliveries: 0,
    maxAgeSeconds: 0,
  };
  readonly deadLetters: { messageId: string; body: string }[] = [];
  /** Original message IDs that were deleted (processed) at least once. */
  readonly processedOriginals = new Set<string>();
  readonly deadLetteredOriginals = new Set<string>();
  readonly sentOriginals = new Set<string>();
  lastInvocationError: string | undefined;

  constructor(private readonly options: QueueOptions) {}

  get depth(): number {
    return this.messages.length;
  }

  send(body: string, atMs: number): void {
    this.sequence += 1;
    const messageId = `sim-${this.sequence.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
    this.sentOriginals.add(messageId);
    this.stats.sent += 1;
    this.messages.push({ messageId, body, sentMs: atMs, visibleAtMs: atMs, receiveCount: 0, originalId: messageId });
    if (this.options.random() < this.options.duplicateRate) {
      this.stats.duplicatesInjected += 1;
      const duplicateAt = atMs + Math.floor(this.options.random() * 60_000);
      this.messages.push({ messageId: `${messageId}-dup`, body, sentMs: atMs, visibleAtMs: duplicateAt, receiveCount: 0, originalId: messageId });
    }
  }

  /**
   * One poll round at `nowMs`: forms up to maxConcurrency batches from visible messages and invokes
   * the handler on them concurrently. Returns the number of batches invoked.
   */
  async poll(nowMs: number, handler: BatchHandler, flush = false): Promise<number> {
    const visible = this.messages.filter((message) => message.visibleAtMs <= nowMs);
    if (visible.length === 0) return 0;
    visible.sort((a, b) => a.visibleAtMs - b.visibleAtMs);
    const oldestWaitedMs = nowMs - visible[0]!.visibleAtMs;
    const windowDone = oldestWaitedMs >= this.options.batchingWindowSeconds * 1000;
    if (!flush && !windowDone && visible.length < this.options.batchSize) return 0;
    const batches: QueuedMessage[][] = [];
    for (let index = 0; index < visible.length && batches.length < this.options.maxConcurrency; index += this.options.batchSize) {
      const batch = visible.slice(index, index + this.options.batchSize);
      if (!flush && !windowDone && batch.length < this.options.batchSize) break;
      batches.push(batch);
    }
    const inFlight = new Set(batches.flat());
    for (const message of inFlight) {
      message.receiveCount += 1;
      message.visibleAtMs = nowMs + this.options.visibilityTimeoutSeconds * 1000;
      if (message.receiveCount > 1) this.stats.redeliveries += 1;
      this.stats.deliveries += 1;
      this.stats.maxAgeSeconds = Math.max(this.stats.maxAgeSeconds, (nowMs - message.sentMs) / 1000);
    }
    await Promise.all(batches.map((batch) => this.invoke(batch, nowMs, handler)));
    return batches.length;
  }

  private async invoke(batch: QueuedMessage[], nowMs: number, handler: BatchHandler): Promise<void> {
    this.stats.invocations += 1;
    let failedIds: Set<string>;
    try {
      const response = await handler({ Records: batch.map((message) => this.toRecord(message, nowMs)) });
      failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      this.stats.invocationErrors += 1;
      this.lastInvocationError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      failedIds = new Set(batch.map((message) => message.messageId));
    }
    const remove = new Set<QueuedMessage>();
    for (const message of batch) {
      if (!failedIds.has(message.messageId)) {
        this.stats.deleted += 1;
        this.processedOriginals.add(message.originalId);
        remove.add(message);
      } else if (message.receiveCount >= this.options.maxReceiveCount) {
        this.stats.deadLettered += 1;
        this.deadLetteredOriginals.add(message.originalId);
        this.deadLetters.push({ messageId: message.messageId, body: message.body });
        remove.add(message);
      }
    }
    if (remove.size > 0) this.messages = this.messages.filter((message) => !remove.has(message));
  }

  private toRecord(message: QueuedMessage, nowMs: number): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentMs),
        SenderId: 'AIDAEVENTBRIDGEEXAMPLE',
        ApproximateFirstReceiveTimestamp: String(nowMs),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.options.queueArn,
      awsRegion: 'eu-west-1',
    };
  }

  /** Originals neither processed nor dead-lettered (still queued counts as lost at the end of a drained run). */
  lostOriginals(): string[] {
    return [...this.sentOriginals].filter((id) => !this.processedOriginals.has(id) && !this.deadLetteredOriginals.has(id));
  }
}
