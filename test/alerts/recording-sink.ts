/** An OperationalSink that records what a use case logged and counted. */
import type { OperationalSink } from '../../lambdas/ports/runtime';

export class RecordingSink implements OperationalSink {
  readonly counts = new Map<string, number>();
  readonly logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];

  count(metric: string, value = 1): void {
    this.counts.set(metric, (this.counts.get(metric) ?? 0) + value);
  }
  debug(message: string, fields?: Record<string, unknown>): void {
    this.logs.push({ level: 'debug', message, ...(fields ? { fields } : {}) });
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.logs.push({ level: 'info', message, ...(fields ? { fields } : {}) });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.logs.push({ level: 'warn', message, ...(fields ? { fields } : {}) });
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.logs.push({ level: 'error', message, ...(fields ? { fields } : {}) });
  }
  countOf(metric: string): number {
    return this.counts.get(metric) ?? 0;
  }
}
