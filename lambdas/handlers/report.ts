/**
 * Report Lambda, on the `reportSchedule`: the all-node and single-node CSVs, the HTML report and the
 * day's summary to the report bucket, then one REPORT message to the alert topic.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { buildCommon } from '../wiring/common';
import { buildReport } from '../wiring/report';

const common = buildCommon(process.env);
const report = buildReport(common, process.env);
const { logger, metrics, sink } = common;

export interface ReportHandlerResult {
  generatedAt: string;
  nodes: number;
  nonCompliant: number;
  unreadable: number;
  objects: string[];
}

export const handler = async (_event: ScheduledEvent | Record<string, unknown>, context?: Context): Promise<ReportHandlerResult> => {
  if (context) logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    const result = await report.run();
    return { generatedAt: result.generatedAt, nodes: result.nodes, nonCompliant: result.nonCompliant, unreadable: result.failed.length, objects: result.written };
  } catch (error) {
    // Lambda retries the scheduled invocation; the DLQ (alarmed) holds it after that.
    sink.count('ReportFailed');
    sink.error('report failed', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
};
