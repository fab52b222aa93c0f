/**
 * Report ports (implemented by `adapters/s3-report-store.ts`, `adapters/file-report-store.ts` and
 * `adapters/sns-report-notifier.ts`; the node list comes from `ManagedNodeLister` in `./reading`).
 * No SDK import here.
 */
import type { ReportNotice } from '../domain/report/notice';
import type { FleetSummary, TrackingState } from '../domain/report/summary';
import type { AlertReceipt } from './alerts';

export interface ReportObject {
  key: string;
  body: string;
  /** e.g. `text/csv; charset=utf-8`. */
  contentType: string;
}

/** Where report files and their history live (an S3 bucket in the stack, a folder for the CLI). */
export interface ReportStore {
  put(object: ReportObject): Promise<void>;
  /** The tracking state the previous run saved, or null (first run). */
  loadTracking(key: string): Promise<TrackingState | null>;
  /** The daily summaries found under these keys (missing days are left out). */
  loadSummaries(keys: readonly string[]): Promise<FleetSummary[]>;
}

export interface ReportNotifier {
  notifyReport(notice: ReportNotice): Promise<AlertReceipt>;
}
