/**
 * Triage: SQS records (or the sweep's node list) -> read each node's state from SSM -> diagnose ->
 * plan -> guards -> act (one RunPatchBaseline per group of nodes sharing a decision) -> alert.
 * Everything outside is a port handed in through the constructor.
 *
 * By concern: `intake.ts` (parse, coalesce, quiet-skip), `evaluation.ts` (read, diagnose, plan,
 * guards), `verdicts.ts` (skipped / exhausted / deferred nodes), `acting.ts` (locks and commands),
 * `alerting.ts` (claimed alerts, lifecycle events), `batch-state.ts` (in-flight counts, calendar).
 */
import type { SqsRecordLike } from '../../domain/intake';
import { evaluate } from './evaluation';
import { processRecords } from './intake';
import type { EvaluationContext, EvaluationResult, TriageDependencies } from './types';

export { QUIET_EVENT_REVERIFY_FACTOR, isQuietRepeat } from './intake';
export { UNCHANGED_DETAIL_REVERIFY_FACTOR, nodeAgeFacts } from './evaluation';
export type { EvaluationContext, EvaluationResult, NodeOutcome, NodeOutcomeKind, TriageDependencies } from './types';

export class TriageUseCase {
  constructor(private readonly deps: TriageDependencies) {}

  processRecords(records: readonly SqsRecordLike[]): Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }> {
    return processRecords(this.deps, records);
  }

  evaluateNodes(instanceIds: readonly string[], context: EvaluationContext): Promise<EvaluationResult> {
    return evaluate(this.deps, instanceIds, context);
  }
}
