/**
 * Runtime ports: what every use case runs in: the clock, the live runtime mode, and logs/metrics
 * (implemented by `adapters/ssm-mode-parameter.ts` and the handlers' Powertools sink; tests and the
 * simulator hand in their own). No SDK import here.
 */
import type { RuntimeMode } from '../domain/policy/runtime-mode';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * The live runtime mode (the stack's mode parameter, briefly cached). Never throws: an unreadable or
 * invalid value is logged, counted and answered with the safest mode (`domain/policy/runtime-mode.ts`).
 */
export interface RuntimeModeSource {
  current(): Promise<RuntimeMode>;
}

/** Logs and metrics as the use cases need them (Powertools in the handlers, a recorder in tests). */
export interface OperationalSink {
  count(metric: string, value?: number): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
