/**
 * Security Hub finding ports (implemented by `adapters/securityhub-publisher.ts` and
 * `adapters/dynamo-finding-store.ts`; used by `usecases/findings.ts`). No SDK import here.
 */
import type { CauseCode } from '../domain/types';
import type { AsffFinding } from '../domain/findings/asff';
import type { FindingRecord } from '../domain/findings/plan';

export interface FindingImportFailure {
  id: string;
  errorCode: string;
  errorMessage: string;
}

export interface FindingImportResult {
  /** Ids Security Hub accepted. */
  imported: string[];
  /** Findings rejected (FailedFindings, or a call that failed) after the adapter's own retries. */
  failed: FindingImportFailure[];
  /**
   * Set when Security Hub cannot take findings in this account and region (not enabled, not
   * subscribed, access denied): nothing more was sent in this call.
   */
  unavailable?: { errorCode: string; message: string };
}

/** BatchImportFindings. Never throws: failures come back (and are logged and counted by the adapter). */
export interface FindingPublisher {
  importFindings(findings: readonly AsffFinding[]): Promise<FindingImportResult>;
}

/** What was imported per node and cause (CreatedAt, fingerprint, last UpdatedAt, archived), in the ledger table. */
export interface FindingStore {
  read(instanceIds: readonly string[]): Promise<Map<string, Map<CauseCode, FindingRecord>>>;
  /** Keeps `record` unless a later UpdatedAt is stored for the same node and cause; false then. */
  save(instanceId: string, record: FindingRecord): Promise<boolean>;
}
