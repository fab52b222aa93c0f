/**
 * Triage Lambda: SQS batch of compliance events -> TriageUseCase.processRecords -> partial batch
 * failures (ReportBatchItemFailures on the event source mapping). Dependencies are built once per
 * module; metrics are flushed after every invocation, even a failed one.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { buildCommon } from '../wiring/common';
import { buildTriage } from '../wiring/triage';

const common = buildCommon(process.env);
const triage = buildTriage(common);
const { logger, metrics } = common;

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    const result = await triage.processRecords(event.Records.map((record) => ({ messageId: record.messageId, body: record.body })));
    logger.info('batch done', { records: event.Records.length, batchItemFailures: result.batchItemFailures.length });
    return result;
  } finally {
    metrics.publishStoredMetrics();
  }
};
