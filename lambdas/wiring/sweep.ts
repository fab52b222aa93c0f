/**
 * The ledger sweep over the common dependencies: it re-evaluates through the triage use case and
 * settles commands whose status event was lost through the follow-up use case (sweep Lambda).
 */
import { DynamoNoticeLedger } from '../adapters/dynamo-notices';
import { DynamoSweepScanner } from '../adapters/dynamo-sweep-scanner';
import { SsmCalendarReader } from '../adapters/ssm-calendar';
import { SsmCommandFinder } from '../adapters/ssm-command-finder';
import type { CommandFollowUp } from '../usecases/follow-up';
import type { TriageUseCase } from '../usecases/triage';
import { LedgerSweep } from '../usecases/sweep';
import type { Common } from './common';
import { buildFollowUp } from './follow-up';

export function buildSweep(common: Common, triage: TriageUseCase, followUp: CommandFollowUp = buildFollowUp(common)): LedgerSweep {
  const { ledger, settings, clock, sink } = common;
  return new LedgerSweep({
    ledger,
    scanner: new DynamoSweepScanner(common.dynamo, common.tableName),
    evaluator: triage,
    finder: new SsmCommandFinder(common.ssm),
    settler: followUp,
    calendar: new SsmCalendarReader(common.ssm),
    settings,
    clock,
    sink,
    ...(common.liveMode
      ? { liveMode: { source: common.liveMode.source, parameterName: common.liveMode.parameterName, notices: new DynamoNoticeLedger(common.dynamo, common.tableName), notifier: common.notifier } }
      : {}),
  });
}
