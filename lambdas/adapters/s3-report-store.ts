/**
 * ReportStore over S3: PutObject for every file (the bucket's default SSE-KMS encryption applies; no
 * per-object header needed), GetObject for the history. A missing history object is normal (first
 * run, a day without a report): S3 answers 404 NoSuchKey only when the caller may list the bucket
 * (S3 API reference, GetObject "Permissions": without s3:ListBucket it answers 403 AccessDenied), so
 * the stack grants s3:ListBucket on the `history/` prefix. An unreadable or malformed history object is
 * logged and counted, and the report goes on without it.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FleetSummary, TrackingState } from '../domain/report/summary';
import type { ReportObject, ReportStore } from '../ports/reports';
import type { OperationalSink } from '../ports/runtime';

const READ_CONCURRENCY = 6;

export class S3ReportStore implements ReportStore {
  constructor(
    private readonly client: Pick<S3Client, 'send'>,
    readonly bucket: string,
    private readonly sink: Pick<OperationalSink, 'warn' | 'count'>,
  ) {}

  async put(object: ReportObject): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: object.key, Body: object.body, ContentType: object.contentType }));
  }

  async loadTracking(key: string): Promise<TrackingState | null> {
    const value = await this.getJson(key);
    if (value === null) return null;
    if (!isTracking(value)) {
      this.unreadable(key, 'not a tracking state');
      return null;
    }
    return value;
  }

  async loadSummaries(keys: readonly string[]): Promise<FleetSummary[]> {
    const found: FleetSummary[] = [];
    let next = 0;
    const workers = Array.from({ length: Math.min(READ_CONCURRENCY, keys.length) }, async () => {
      while (next < keys.length) {
        const key = keys[next]!;
        next += 1;
        const value = await this.getJson(key);
        if (value === null) continue;
        if (isSummary(value)) found.push(value);
        else this.unreadable(key, 'not a daily summary');
      }
    });
    await Promise.all(workers);
    return found.sort((a, b) => a.date.localeCompare(b.date));
  }

  /** The object's JSON, or null when it does not exist or cannot be used (logged). */
  private async getJson(key: string): Promise<unknown> {
    let text: string;
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      text = (await response.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'NoSuchKey' || name === 'NotFound') return null;
      // Access denied, KMS, throttling that outlived the retries: history is lost for this run only.
      this.unreadable(key, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      return null;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      this.unreadable(key, 'not JSON');
      return null;
    }
  }

  private unreadable(key: string, reason: string): void {
    this.sink.count('ReportHistoryUnreadable');
    this.sink.warn('report history object unreadable: left out of this report', { key, reason });
  }
}

function isTracking(value: unknown): value is TrackingState {
  return typeof value === 'object' && value !== null && typeof (value as TrackingState).generatedAt === 'string' && typeof (value as TrackingState).nodes === 'object';
}

function isSummary(value: unknown): value is FleetSummary {
  const summary = value as FleetSummary;
  return typeof value === 'object' && value !== null && typeof summary.date === 'string' && typeof summary.nodes === 'number' && typeof summary.byStatus === 'object' && typeof summary.remediations === 'object';
}
