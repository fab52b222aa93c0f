/**
 * The pipeline under test, built by the project's own wiring (`lambdas/wiring.ts` buildDependencies,
 * exactly what each handler module does at load) with real SDK clients pointed at the fake AWS
 * endpoint (SSM, SNS, EventBridge, and DynamoDB proxied to dynalite), the simulated clock, and a sink
 * that sums the pipeline's own metrics instead of printing Powertools logs for 200k events.
 *
 * The handlers themselves (`lambdas/handlers/*.ts`) build their dependencies from process.env at
 * import, so they cannot take the simulated clock; the simulator calls the same use-case methods they
 * call (processRecords, handle, run). The pipeline's self-reported metrics are kept for --details only;
 * the simulator's report never relies on them.
 */
import type { OperationalSink } from '../lambdas/ports';
import { buildDependencies } from '../lambdas/wiring';
import type { PipelineContext, PipelineUnderTest } from './run';

/** Metrics the pipeline emitted, summed per name (its own view; not used for the report). */
export const pipelineMetrics = new Map<string, number>();

const sink: OperationalSink = {
  count: (metric, value = 1) => {
    pipelineMetrics.set(metric, (pipelineMetrics.get(metric) ?? 0) + value);
  },
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export async function realPipeline(context: PipelineContext): Promise<PipelineUnderTest> {
  pipelineMetrics.clear();
  const { endpoint, region, credentials, clock, env } = context;
  const { triage, followUp, sweep } = buildDependencies(env, { clientConfig: { endpoint, region, credentials }, clock, sink });
  return {
    triage: (event) => triage.processRecords(event.Records.map((record) => ({ messageId: record.messageId, body: record.body }))),
    followUp: (event) => followUp.handle(event),
    sweep: () => sweep.run(),
  };
}
