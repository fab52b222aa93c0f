/**
 * The ledger sweep over the common dependencies: it re-evaluates through the triage use case and
 * settles commands whose status event was lost through the follow-up use case (sweep Lambda).
 */
import { DynamoNoticeLedger } from '../adapters/dynamo-notices';
import { DynamoSweepScanner } from '../adapters/dynamo-sweep-scanner';
import { SsmCalendarReader } from '../adapters/ssm-calendar';
import { SsmCommandFinder } from '../adapters/ssm-command-finder';
import type { CommandSettler } from '../ports/acting';
import type { NodeEvaluator } from '../ports/sweep';
import { LedgerSweep } from '../usecases/sweep';
import type { Common } from './common';
import { lazyAdapter } from './lazy-adapter';

/**
 * By default (the sweep Lambda) the triage and follow-up use cases, with their adapters, load with the
 * first node to re-evaluate / command to settle (lazy-adapter.ts), not at import: a run that only
 * reconciles locks or finds nothing due needs neither (docs/PERFORMANCE.md, "Bundles").
 */
export function buildSweep(
  common: Common,
  evaluator: NodeEvaluator = lazyAdapter<NodeEvaluator>(async () => (await import('./triage')).buildTriage(common), { evaluateNodes: true }),
  settler: CommandSettler = lazyAdapter<CommandSettler>(async () => (await import('./follow-up')).buildFollowUp(common), { settle: true }),
): LedgerSweep {
  const { ledger, settings, clock, sink } = common;
  return new LedgerSweep({
    ledger,
    failureNotes: common.failureNotes,
    scanner: new DynamoSweepScanner(common.dynamo, common.tableName),
    evaluator,
    finder: new SsmCommandFinder(common.ssm),
    settler,
    calendar: new SsmCalendarReader(common.ssm),
    settings,
    clock,
    sink,
    ...(common.liveMode
      ? { liveMode: { source: common.liveMode.source, parameterName: common.liveMode.parameterName, notices: new DynamoNoticeLedger(common.dynamo, common.tableName), notifier: common.notifier } }
      : {}),
  });
}
