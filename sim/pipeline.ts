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
import type { OperationalSink } from '../lambdas/ports/runtime';
import { buildDependencies } from '../lambdas/wiring';
import { killSwitch } from './faults';
import type { PipelineContext, PipelineFactory, PipelineUnderTest } from './run';

/** Triage containers the last run started (at most its `triageConcurrency`). */
export const triageContainers = { started: 0 };

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

/**
 * Lambda containers as the account has them: each function its own, and the triage one container per
 * batch running at once (up to the event source mapping's maxConcurrency). Each container builds its
 * own dependencies, so container-local state (clients, the reader's tag cache and read fallbacks) is per container,
 * shared only through DynamoDB. An idle container is reused before a new one starts (the most recently
 * used first), as warm Lambda environments are.
 */
export const realPipeline: PipelineFactory = (context) => realPipelineOf(context);

async function realPipelineOf(context: PipelineContext): Promise<PipelineUnderTest> {
  pipelineMetrics.clear();
  const { endpoint, region, credentials, clock, env } = context;
  // Each container talks to its own endpoint path, so a fault can tell which Lambda it hit (sim/faults.ts).
  let containers = 0;
  const container = () => {
    containers += 1;
    const path = `/c${containers}/`;
    return { path, deps: buildDependencies(env, { clientConfig: { endpoint: `${endpoint}${path}`, region, credentials }, clock, sink }) };
  };
  const idle: Array<ReturnType<typeof container>> = [];
  triageContainers.started = 0;
  const followUp = container().deps.followUp;
  const sweep = container().deps.sweep;
  return {
    triage: async (event) => {
      let warm = idle.pop();
      if (!warm) {
        warm = container();
        triageContainers.started += 1;
      }
      const current = warm;
      // A kill (sim/faults.ts) abandons the invocation: nothing after the hung call runs, the batch
      // fails as a timed-out Lambda's does, and the container is not reused.
      let killed = false;
      const kill = new Promise<never>((_, reject) => killSwitch.set(current.path, (error) => ((killed = true), reject(error))));
      try {
        return await Promise.race([current.deps.triage.processRecords(event.Records.map((record) => ({ messageId: record.messageId, body: record.body }))), kill]);
      } finally {
        killSwitch.delete(current.path);
        if (!killed) idle.push(current);
      }
    },
    followUp: (event) => followUp.handle(event),
    sweep: () => sweep.run(),
  };
}
