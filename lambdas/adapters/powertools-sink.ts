/**
 * OperationalSink over the Powertools Logger and Metrics singletons of a handler module (namespace
 * `SsmComplianceAutopilot`, one service name per function). Counts are buffered by Metrics and
 * flushed by the handler (`publishStoredMetrics`) as one EMF log line.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { OperationalSink } from '../ports';

export class PowertoolsSink implements OperationalSink {
  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  count(metric: string, value = 1): void {
    this.metrics.addMetric(metric, MetricUnit.Count, value);
  }
  debug(message: string, fields: Record<string, unknown> = {}): void {
    this.logger.debug(message, fields);
  }
  info(message: string, fields: Record<string, unknown> = {}): void {
    this.logger.info(message, fields);
  }
  warn(message: string, fields: Record<string, unknown> = {}): void {
    this.logger.warn(message, fields);
  }
  error(message: string, fields: Record<string, unknown> = {}): void {
    this.logger.error(message, fields);
  }
}
