/** The triage use case over the common dependencies (triage and sweep Lambdas). */
import { DynamoScopeTagIndexStore } from '../adapters/dynamo-tag-index';
import { SsmCalendarReader } from '../adapters/ssm-calendar';
import { SsmRemediator } from '../adapters/ssm-remediator';
import { SsmStateReader } from '../adapters/ssm/reader';
import { TriageUseCase } from '../usecases/triage';
import type { Common } from './common';

export function buildTriage(common: Common, options: { shareScopeTagIndex?: boolean } = {}): TriageUseCase {
  const { ssm, settings, clock, sink, region } = common;
  // The scope tag index is built by one container per scopeTagCacheMinutes and shared via the ledger table.
  const tagIndexStore = options.shareScopeTagIndex === false ? undefined : new DynamoScopeTagIndexStore(common.dynamo, common.tableName);
  return new TriageUseCase({
    reader: new SsmStateReader({ client: ssm, settings, clock, sink, ...(tagIndexStore ? { tagIndexStore } : {}), ...(region ? { region } : {}) }),
    ledger: common.ledger,
    remediator: new SsmRemediator({ client: ssm, settings, sink, logGroupName: common.commandLogGroup }),
    calendar: new SsmCalendarReader(ssm),
    notifier: common.notifier,
    lifecycle: common.lifecycle,
    clock,
    sink,
    settings,
    ownRoleNames: common.ownRoleNames,
    environment: common.environment,
    ...(common.liveMode ? { liveMode: common.liveMode.source } : {}),
  });
}
