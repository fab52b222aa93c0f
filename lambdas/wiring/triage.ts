/** The triage use case over the common dependencies (triage and sweep Lambdas). */
import { SsmCalendarReader } from '../adapters/ssm-calendar';
import { SsmCommandFinder } from '../adapters/ssm-command-finder';
import { SsmRemediator } from '../adapters/ssm-remediator';
import type { NodeTagSource } from '../adapters/ssm/node-tags';
import { SsmStateReader } from '../adapters/ssm/reader';
import { TriageUseCase } from '../usecases/triage';
import type { Common } from './common';
import { lazyAdapter } from './lazy-adapter';
import { buildFindings } from './findings';

export function buildTriage(common: Common): TriageUseCase {
  const { ssm, settings, clock, sink, region } = common;
  // Tags of the evaluated nodes only, one GetResources call per ≤100 of them, reused for
  // scopeTagCacheMinutes (docs/PERFORMANCE.md, "Scope tags"): the cost follows the events, not the fleet.
  // The tagging client loads with the first nodes evaluated (lazy-adapter.ts), not at import: batches
  // acknowledged without a read (most of them), ignored or malformed events never need it.
  const tags = lazyAdapter<NodeTagSource>(
    async () => {
      const [{ TaggingApiTagSource }, { ResourceGroupsTaggingAPIClient }] = await Promise.all([
        import('../adapters/ssm/node-tags'),
        import('@aws-sdk/client-resource-groups-tagging-api'),
      ]);
      return new TaggingApiTagSource({
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
    },
    { tagsOf: true },
  );
  const findings = buildFindings(common);
  return new TriageUseCase({
    reader: new SsmStateReader({ client: ssm, settings, clock, sink, tags, ...(region ? { region } : {}) }),
    ledger: common.ledger,
    failureNotes: common.failureNotes,
    // SendCommand / StartAssociationsOnce through the one-attempt client; DescribeAssociation through the retrying one.
    remediator: new SsmRemediator({ client: common.ssmActing, readClient: ssm, settings, sink, logGroupName: common.commandLogGroup }),
    finder: new SsmCommandFinder(ssm),
    calendar: new SsmCalendarReader(ssm),
    notifier: common.notifier,
    lifecycle: common.lifecycle,
    clock,
    sink,
    settings,
    ownRoleNames: common.ownRoleNames,
    environment: common.environment,
    ...(common.liveMode ? { liveMode: common.liveMode.source } : {}),
    ...(findings ? { findings } : {}),
  });
}
