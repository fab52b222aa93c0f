/** OperationalSink that records counts and log lines, so tests can assert what an operator would see. */
import type { OperationalSink } from '../../lambdas/ports/runtime';

export class RecordingSink implements OperationalSink {
  readonly counts = new Map<string, number>();
  readonly lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];

  count(metric: string, value = 1): void {
    this.counts.set(metric, (this.counts.get(metric) ?? 0) + value);
  }
  debug(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'debug', message, ...(fields ? { fields } : {}) });
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, ...(fields ? { fields } : {}) });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) });
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, ...(fields ? { fields } : {}) });
  }
  metric(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}
