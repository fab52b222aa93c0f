/**
 * The Security Hub findings step of triage and sweep, only with `securityHubFindings` on. Loaded on
 * first use (lazy-adapter.ts), in two steps: the step itself (finding domain, use case, ledger
 * records) with the first batch that evaluated nodes; the publisher and its Security Hub SDK client
 * with the first batch that has something to import. With the option off nothing of it is loaded.
 */
import type { FindingPublisher } from '../ports/findings';
import type { FindingsStep } from '../usecases/findings';
import type { Common } from './common';
import { lazyAdapter } from './lazy-adapter';

export function buildFindings(common: Common): FindingsStep | undefined {
  if (!common.settings.securityHubFindings) return undefined;
  const { account, region } = common.environment;
  if (!account || !region) {
    // Both come from the stack (the alert topic ARN, AWS_REGION); without them no finding can name its account.
    common.sink.error('securityHubFindings is on but the account or region is unknown: no findings will be imported', { account, region });
    return undefined;
  }
  return lazyAdapter<FindingsStep>(
    async () => {
      const [{ SecurityHubFindings }, { DynamoFindingStore }] = await Promise.all([import('../usecases/findings'), import('../adapters/dynamo-finding-store')]);
      return new SecurityHubFindings({
        store: new DynamoFindingStore(common.dynamo, common.tableName),
        publisher: publisherOnFirstUse(common),
        scope: { account, region },
        clock: common.clock,
        sink: common.sink,
      });
    },
    { sync: true },
  );
}

function publisherOnFirstUse(common: Common): FindingPublisher {
  return lazyAdapter<FindingPublisher>(
    async () => {
      const { SecurityHubFindingPublisher, createSecurityHubClient } = await import('../adapters/securityhub-publisher');
      return new SecurityHubFindingPublisher({ client: createSecurityHubClient(common.clientConfig), sink: common.sink });
    },
    { importFindings: true },
  );
}
