/**
 * Follow-up Lambda: EventBridge "EC2 Command Invocation Status-change Notification" for
 * AWS-RunPatchBaseline -> CommandFollowUp. Thin: dependencies come from the wiring, once per module.
 * A thrown error makes Lambda retry the asynchronous invocation (then the function's DLQ);
 * malformed and foreign events are counted and acknowledged.
 */
import type { Context } from 'aws-lambda';
import type { FollowUpOutcome } from '../usecases/follow-up';
import { buildCommon } from '../wiring/common';
import { buildFollowUp } from '../wiring/follow-up';

const common = buildCommon(process.env);
const followUp = buildFollowUp(common);
const { logger, metrics } = common;

export const handler = async (event: unknown, context?: Context): Promise<FollowUpOutcome> => {
  if (context) logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    const outcome = await followUp.handle(event);
    logger.debug('follow-up done', { outcome: outcome.kind });
    return outcome;
  } finally {
    metrics.publishStoredMetrics();
  }
};
