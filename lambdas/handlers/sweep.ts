/**
 * Sweep Lambda, on the stack's schedule: stale locks, deferred nodes and nodes not re-evaluated
 * since their command ended go back through the triage use case. Bounded by the function's
 * remaining time (the scan cursor carries the rest to the next run).
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { SweepReport } from '../usecases/sweep';
import { buildCommon } from '../wiring/common';
import { buildSweep } from '../wiring/sweep';

const common = buildCommon(process.env);
// Triage and follow-up load with the first node to re-evaluate / command to settle (wiring/sweep.ts).
const sweep = buildSweep(common);
const { logger, metrics } = common;

export const handler = async (_event: ScheduledEvent | Record<string, unknown>, context?: Context): Promise<SweepReport> => {
  if (context) logger.addContext(context);
  metrics.captureColdStartMetric();
  try {
    return await sweep.run(context ? () => context.getRemainingTimeInMillis() : undefined);
  } finally {
    metrics.publishStoredMetrics();
  }
};
