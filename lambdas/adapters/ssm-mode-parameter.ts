/**
 * RuntimeModeSource over the stack's SSM String parameter, read through Powertools Parameters
 * (`SSMProvider`, GetParameter) with a MODE_CACHE_SECONDS cache per container, so
 * `aws ssm put-parameter --overwrite --name <name> --value paused` reaches every function within that
 * time without a deploy. Read on the first invocation, never at import.
 *
 * Never throws: an unreadable parameter (deleted, access denied, throttled after the client's
 * retries) or an invalid value is logged, counted (MODE_FALLBACK_METRIC, alarmed) and answered with
 * FALLBACK_MODE. A failed read is remembered for the same cache time, so a broken parameter costs one
 * GetParameter per container and period, not one per invocation.
 */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { MODE_CACHE_SECONDS, MODE_FALLBACK_METRIC, resolveRuntimeMode, type RuntimeMode } from '../domain/policy/runtime-mode';
import type { Clock, OperationalSink, RuntimeModeSource } from '../ports/runtime';

export interface SsmModeParameterOptions {
  /** The client every SSM call of the function uses (adaptive retries). */
  client: SSMClient;
  parameterName: string;
  sink: OperationalSink;
  clock: Clock;
  /** @default MODE_CACHE_SECONDS */
  maxAgeSeconds?: number;
}

export class SsmModeParameter implements RuntimeModeSource {
  private readonly provider: SSMProvider;
  private readonly maxAgeSeconds: number;
  private failedUntil = 0;
  private lastFallback?: RuntimeMode;

  constructor(private readonly options: SsmModeParameterOptions) {
    this.provider = new SSMProvider({ awsSdkV3Client: options.client });
    this.maxAgeSeconds = options.maxAgeSeconds ?? MODE_CACHE_SECONDS;
  }

  async current(): Promise<RuntimeMode> {
    const { parameterName, clock } = this.options;
    const now = clock.now().getTime();
    if (this.lastFallback && now < this.failedUntil) return this.lastFallback;
    let value: unknown;
    try {
      value = await this.provider.get(parameterName, { maxAge: this.maxAgeSeconds });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      return this.fallback(now, `mode parameter ${parameterName} unreadable: ${describe(cause)}`);
    }
    const reading = resolveRuntimeMode(value);
    if (reading.problem !== undefined) return this.fallback(now, `mode parameter ${parameterName}: ${reading.problem}`);
    this.lastFallback = undefined;
    return reading.mode;
  }

  private fallback(now: number, problem: string): RuntimeMode {
    const { mode } = resolveRuntimeMode(undefined);
    this.options.sink.count(MODE_FALLBACK_METRIC);
    this.options.sink.error(`${problem}: acting as ${mode} until it is fixed`, { parameterName: this.options.parameterName, mode });
    this.lastFallback = mode;
    this.failedUntil = now + this.maxAgeSeconds * 1000;
    return mode;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
