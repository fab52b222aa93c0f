/** The ledger sweep over the common dependencies; it re-evaluates through the triage use case (sweep Lambda). */
import { DynamoSweepScanner } from '../adapters/dynamo-sweep-scanner';
import { SsmCalendarReader } from '../adapters/ssm-calendar';
import type { TriageUseCase } from '../usecases/triage';
import { LedgerSweep } from '../usecases/sweep';
import type { Common } from './common';

export function buildSweep(common: Common, triage: TriageUseCase): LedgerSweep {
  const { ledger, settings, clock, sink } = common;
  return new LedgerSweep({
    ledger,
    scanner: new DynamoSweepScanner(common.dynamo, common.tableName),
    evaluator: triage,
    calendar: new SsmCalendarReader(common.ssm),
    settings,
    clock,
    sink,
    ...(common.liveMode
      ? { liveMode: { source: common.liveMode.source, parameterName: common.liveMode.parameterName, notices: ledger, notifier: common.notifier } }
      : {}),
  });
}
