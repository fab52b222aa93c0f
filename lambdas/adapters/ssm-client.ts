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
