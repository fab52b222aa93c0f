/**
 * The one place an SSM client is configured. Adaptive retry mode: SSM publishes no rate limits and
 * throttles routinely at fleet scale (AWS-FACTS.md, "Limits"); adaptive mode adds client-side rate
 * limiting on top of the standard exponential backoff.
 */
import { SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';

export interface SsmClientOptions {
  region?: string;
  /** A local endpoint (tests, simulator). */
  endpoint?: string;
  credentials?: SSMClientConfig['credentials'];
  /** Total attempts per call, first one included. Default 5. */
  maxAttempts?: number;
  /** Replaces the adaptive strategy (tests use a fast one). */
  retryStrategy?: SSMClientConfig['retryStrategy'];
}

export const DEFAULT_SSM_MAX_ATTEMPTS = 5;

export function createSsmClient(options: SsmClientOptions = {}): SSMClient {
  return new SSMClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.retryStrategy ? { retryStrategy: options.retryStrategy } : {}),
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? DEFAULT_SSM_MAX_ATTEMPTS,
  });
}

/**
 * The client for calls that create something and carry no idempotency token (SendCommand,
 * StartAssociationsOnce): ONE attempt. A retry after a lost reply would be a second command
 * (AWS-FACTS "Acting"); the caller reconciles an ambiguous outcome instead. Explicit `maxAttempts`
 * wins over AWS_MAX_ATTEMPTS from the environment; the endpoint still follows AWS_ENDPOINT_URL_SSM
 * when no `endpoint` is passed.
 */
export function createSsmActingClient(options: Omit<SsmClientOptions, 'maxAttempts' | 'retryStrategy'> = {}): SSMClient {
  return createSsmClient({ ...options, maxAttempts: 1 });
}
