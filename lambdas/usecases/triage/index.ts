/**
 * Triage: SQS records (or the sweep's node list) -> read each node's state from SSM -> diagnose ->
 * plan -> guards -> act (one RunPatchBaseline per group of nodes sharing a decision) -> alert.
 * Everything outside is a port handed in through the constructor.
 *
 * By concern: `intake.ts` (parse, coalesce, quiet-skip), `evaluation.ts` (read, diagnose, plan,
 * guards), `verdicts.ts` (skipped / exhausted / deferred nodes), `acting.ts` (locks and commands),
 * `alerting.ts` (claimed alerts, lifecycle events), `batch-state.ts` (in-flight counts, calendar).
 */
import type { SqsRecordLike } from '../../domain/intake/types';
import { withRuntimeMode } from '../../domain/policy/runtime-mode';
import { evaluate } from './evaluation';
import { processRecords } from './intake';
import type { EvaluationContext, EvaluationResult, TriageDependencies } from './types';

export { QUIET_EVENT_REVERIFY_FACTOR, isQuietRepeat } from './intake';
export { nodeAgeFacts } from './evaluation';
export type { EvaluationContext, EvaluationResult, NodeOutcome, NodeOutcomeKind, TriageDependencies } from './types';

export class TriageUseCase {
  constructor(private readonly deps: TriageDependencies) {}

  async processRecords(records: readonly SqsRecordLike[]): Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }> {
    const deps = await this.withLiveMode();
    if (deps.settings.mode === 'paused') {
      // Acknowledged without any read: the sweep re-reads every node within reverifyHours after a resume.
      deps.sink.count('PausedEventsAcknowledged', records.length);
      deps.sink.debug('paused: events acknowledged unread', { records: records.length });
      return { batchItemFailures: [] };
    }
    return processRecords(deps, records);
  }

  async evaluateNodes(instanceIds: readonly string[], context: EvaluationContext): Promise<EvaluationResult> {
    const deps = await this.withLiveMode();
    if (deps.settings.mode === 'paused') {
      return { outcomes: instanceIds.map((instanceId) => ({ instanceId, kind: 'PAUSED' as const })), retry: [] };
    }
    return evaluate(deps, instanceIds, context);
  }

  /** The dependencies with the live mode (mode parameter) in the settings, read once per call. */
  private async withLiveMode(): Promise<TriageDependencies> {
    const { liveMode, settings } = this.deps;
    if (!liveMode) return this.deps;
    const live = withRuntimeMode(settings, await liveMode.current());
    return live === settings ? this.deps : { ...this.deps, settings: live };
  }
}
