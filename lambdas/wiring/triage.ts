/** The triage use case over the common dependencies (triage and sweep Lambdas). */
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SsmCalendarReader } from '../adapters/ssm-calendar';
import { SsmRemediator } from '../adapters/ssm-remediator';
import { TaggingApiTagSource } from '../adapters/ssm/node-tags';
import { SsmStateReader } from '../adapters/ssm/reader';
import { TriageUseCase } from '../usecases/triage';
import type { Common } from './common';

export function buildTriage(common: Common): TriageUseCase {
  const { ssm, settings, clock, sink, region } = common;
  // Tags of the evaluated nodes only, one GetResources call per ≤100 of them, reused for
  // scopeTagCacheMinutes (docs/PERFORMANCE.md, "Scope tags"): the cost follows the events, not the fleet.
  const tags = new TaggingApiTagSource({
    tagging: new ResourceGroupsTaggingAPIClient(common.clientConfig),
    ssm,
    region: async () => region ?? (await ssm.config.region()),
    account: async () => {
      if (!common.environment.account) throw new Error('account unknown: ALERT_TOPIC_ARN (or AWS_ACCOUNT_ID) must name it, the node ARNs need it');
      return common.environment.account;
    },
    clock,
    ttlMs: settings.scopeTagCacheMinutes * 60_000,
  });
  return new TriageUseCase({
    reader: new SsmStateReader({ client: ssm, settings, clock, sink, tags, ...(region ? { region } : {}) }),
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
