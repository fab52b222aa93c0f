/**
 * FindingPublisher over Security Hub BatchImportFindings (Security Hub API reference):
 *  - at most 100 findings a request (BatchImportFindingsRequestFindingList max) and 6 MB a request;
 *    a finding over 240 KB is rejected by the service, so it is reported failed without a call;
 *  - throttling (10 TPS, burst 30 per account and region, "Security Hub CSPM quotas") is absorbed by
 *    the SDK's adaptive retry (LimitExceededException / HTTP 429 are throttling errors for it) plus
 *    this adapter's own pacing of calls and a bounded number of later rounds;
 *  - `FailedFindings` of a 200 response are retried in those rounds, then returned, logged and
 *    counted: never dropped silently (the caller records only what was accepted, so the next
 *    evaluation of the node tries again);
 *  - Security Hub not enabled / not subscribed (InvalidAccessException, HTTP 401 in the model) or
 *    IAM denying the call (AccessDeniedException): one log line and one metric per batch, nothing
 *    thrown, and no further call from this container for a cooldown.
 */
import {
  BatchImportFindingsCommand,
  SecurityHubClient,
  type AwsSecurityFinding,
  type SecurityHubClientConfig,
} from '@aws-sdk/client-securityhub';
import { ASFF_LIMITS, type AsffFinding } from '../domain/findings/asff';
import type { FindingImportFailure, FindingImportResult, FindingPublisher } from '../ports/findings';
import type { OperationalSink } from '../ports/runtime';

/** Compile-time proof that what the domain builds is an SDK AwsSecurityFinding. */
const toSdkFinding = (finding: AsffFinding): AwsSecurityFinding => finding;

/** The service rejects a finding over 240 KB (BatchImportFindings API reference). */
export const MAX_FINDING_BYTES = 240 * 1024;
/** A request body is at most 6 MB (Security Hub CSPM quotas); stay below it with room for the envelope. */
const MAX_REQUEST_BYTES = 5.5 * 1024 * 1024;
/** Errors that mean "Security Hub is not usable here": retrying cannot help. */
const UNAVAILABLE_ERRORS = new Set(['InvalidAccessException', 'AccessDeniedException']);
/** Errors that mean "this request is wrong": retrying the same findings cannot help. */
const INVALID_ERRORS = /Invalid|Validation|Malformed|SizeExceeded/i;

export interface SecurityHubClientOptions {
  region?: string;
  endpoint?: string;
  credentials?: SecurityHubClientConfig['credentials'];
  maxAttempts?: number;
  retryStrategy?: SecurityHubClientConfig['retryStrategy'];
}

/** Adaptive retry: client-side rate limiting on top of backoff, for the 10 TPS account limit. */
export function createSecurityHubClient(options: SecurityHubClientOptions = {}): SecurityHubClient {
  return new SecurityHubClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.retryStrategy ? { retryStrategy: options.retryStrategy } : {}),
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 5,
  });
}

export interface SecurityHubPublisherOptions {
  /** A client, or anything that sends like one (the wiring constructs the client on first use). */
  client: Pick<SecurityHubClient, 'send'>;
  sink: OperationalSink;
  /** Least time between two calls from this container. Default 100 ms (the account's 10 TPS). */
  minIntervalMs?: number;
  /** Later rounds for FailedFindings and calls that failed after the SDK's retries. Default 2. */
  retryRounds?: number;
  /** First wait before a later round, doubled each round. Default 500 ms. */
  retryBaseMs?: number;
  /** After "not enabled / not subscribed / denied", no call for this long. Default 10 minutes. */
  unavailableCooldownMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface CallOutcome {
  imported: string[];
  /** Failed findings worth another round, with why. */
  retry: Array<{ finding: AsffFinding; failure: FindingImportFailure }>;
  failed: FindingImportFailure[];
  unavailable?: { errorCode: string; message: string };
}

export class SecurityHubFindingPublisher implements FindingPublisher {
  private readonly client: Pick<SecurityHubClient, 'send'>;
  private readonly sink: OperationalSink;
  private readonly minIntervalMs: number;
  private readonly retryRounds: number;
  private readonly retryBaseMs: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private lastCallAt = Number.NEGATIVE_INFINITY;
  private unavailableUntil = Number.NEGATIVE_INFINITY;
  private unavailableReason: { errorCode: string; message: string } | undefined;

  constructor(options: SecurityHubPublisherOptions) {
    this.client = options.client;
    this.sink = options.sink;
    this.minIntervalMs = options.minIntervalMs ?? 100;
    this.retryRounds = options.retryRounds ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.cooldownMs = options.unavailableCooldownMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async importFindings(findings: readonly AsffFinding[]): Promise<FindingImportResult> {
    const result: FindingImportResult = { imported: [], failed: [] };
    if (findings.length === 0) return result;
    if (this.now() < this.unavailableUntil && this.unavailableReason) {
      result.unavailable = this.unavailableReason;
      this.reportUnavailable(findings.length, result.unavailable, true);
      return result;
    }
    const sendable: AsffFinding[] = [];
    for (const finding of findings) {
      const bytes = Buffer.byteLength(JSON.stringify(finding));
      if (bytes > MAX_FINDING_BYTES) result.failed.push({ id: finding.Id, errorCode: 'FindingTooLarge', errorMessage: `${bytes} bytes, over the 240 KB limit` });
      else sendable.push(finding);
    }
    const chunks = chunkFindings(sendable);
    for (const [index, chunk] of chunks.entries()) {
      const outcome = await this.importChunk(chunk);
      result.imported.push(...outcome.imported);
      result.failed.push(...outcome.failed);
      if (outcome.unavailable) {
        result.unavailable = outcome.unavailable;
        const notSent = chunks.slice(index + 1).reduce((sum, rest) => sum + rest.length, 0) + chunk.length;
        this.unavailableReason = outcome.unavailable;
        this.unavailableUntil = this.now() + this.cooldownMs;
        this.reportUnavailable(notSent, outcome.unavailable, false);
        break;
      }
    }
    if (result.imported.length > 0) this.sink.count('SecurityHubFindingsImported', result.imported.length);
    if (result.failed.length > 0) {
      this.sink.count('SecurityHubFindingsFailed', result.failed.length);
      this.sink.warn('Security Hub findings not imported: the next evaluation of their nodes tries again', {
        failed: result.failed.length,
        findings: result.failed.slice(0, 20),
      });
    }
    return result;
  }

  /** One chunk: the first call and up to `retryRounds` later rounds for what failed retryably. */
  private async importChunk(chunk: readonly AsffFinding[]): Promise<CallOutcome> {
    const total: CallOutcome = { imported: [], retry: [], failed: [] };
    let pending: readonly AsffFinding[] = chunk;
    for (let round = 0; pending.length > 0; round += 1) {
      if (round > 0) await this.sleep(this.retryBaseMs * 2 ** (round - 1));
      const outcome = await this.call(pending);
      total.imported.push(...outcome.imported);
      total.failed.push(...outcome.failed);
      if (outcome.unavailable) return { ...total, unavailable: outcome.unavailable };
      if (round >= this.retryRounds) {
        total.failed.push(...outcome.retry.map((entry) => entry.failure));
        break;
      }
      pending = outcome.retry.map((entry) => entry.finding);
      if (pending.length > 0) this.sink.count('SecurityHubImportRetries', pending.length);
    }
    return total;
  }

  private async call(findings: readonly AsffFinding[]): Promise<CallOutcome> {
    await this.pace();
    try {
      const response = await this.client.send(new BatchImportFindingsCommand({ Findings: findings.map(toSdkFinding) }));
      const byId = new Map(findings.map((finding) => [finding.Id, finding]));
      const outcome: CallOutcome = { imported: [], retry: [], failed: [] };
      const failedIds = new Set<string>();
      for (const entry of response.FailedFindings ?? []) {
        const failure = { id: entry.Id ?? '?', errorCode: entry.ErrorCode ?? 'Unknown', errorMessage: entry.ErrorMessage ?? '' };
        failedIds.add(failure.id);
        const finding = byId.get(failure.id);
        if (finding && !INVALID_ERRORS.test(failure.errorCode)) outcome.retry.push({ finding, failure });
        else outcome.failed.push(failure);
      }
      // FailedCount without a matching FailedFindings entry: nothing says which one, so none counts as accepted.
      const unexplained = (response.FailedCount ?? 0) > failedIds.size;
      for (const finding of findings) {
        if (failedIds.has(finding.Id)) continue;
        if (unexplained) outcome.retry.push({ finding, failure: { id: finding.Id, errorCode: 'Unknown', errorMessage: `FailedCount ${response.FailedCount} without FailedFindings` } });
        else outcome.imported.push(finding.Id);
      }
      return outcome;
    } catch (error) {
      const errorCode = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      if (UNAVAILABLE_ERRORS.has(errorCode)) return { imported: [], retry: [], failed: [], unavailable: { errorCode, message } };
      const failures = findings.map((finding) => ({ id: finding.Id, errorCode, errorMessage: message }));
      // A rejected request (InvalidInputException) fails the same way again; throttling and
      // service errors that outlived the SDK's retries get the later rounds.
      if (INVALID_ERRORS.test(errorCode)) return { imported: [], retry: [], failed: failures };
      if (errorCode === 'LimitExceededException') this.sink.count('SecurityHubThrottled');
      return { imported: [], retry: findings.map((finding, index) => ({ finding, failure: failures[index]! })), failed: [] };
    }
  }

  /** Spaces this container's calls at least `minIntervalMs` apart. */
  private async pace(): Promise<void> {
    const wait = this.lastCallAt + this.minIntervalMs - this.now();
    if (wait > 0) await this.sleep(wait);
    this.lastCallAt = this.now();
  }

  private reportUnavailable(findings: number, reason: { errorCode: string; message: string }, cooling: boolean): void {
    this.sink.count('SecurityHubUnavailable');
    this.sink.count('SecurityHubFindingsNotImported', findings);
    this.sink.error(
      'Security Hub is not enabled, not subscribed or denied in this account and region: findings not imported (enable Security Hub CSPM here, grant securityhub:BatchImportFindings, or turn securityHubFindings off)',
      { errorCode: reason.errorCode, error: reason.message, findings, ...(cooling ? { skippedUntil: new Date(this.unavailableUntil).toISOString() } : {}) },
    );
  }
}

/** At most 100 findings and MAX_REQUEST_BYTES per request. */
export function chunkFindings(findings: readonly AsffFinding[]): AsffFinding[][] {
  const chunks: AsffFinding[][] = [];
  let current: AsffFinding[] = [];
  let bytes = 0;
  for (const finding of findings) {
    const size = Buffer.byteLength(JSON.stringify(finding));
    if (current.length >= ASFF_LIMITS.findingsPerCall || (current.length > 0 && bytes + size > MAX_REQUEST_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(finding);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
