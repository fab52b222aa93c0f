/**
 * The Security Hub findings step of triage and sweep, only with `securityHubFindings` on. The
 * publisher, its Security Hub SDK client included, loads from its own chunk on the first batch with
 * something to import (lazy-adapter.ts): an invocation with nothing to import, or the option off,
 * never loads it. The use case calls the publisher only when it has findings to send.
 */
import { DynamoFindingStore } from '../adapters/dynamo-finding-store';
import type { FindingPublisher } from '../ports';
import { SecurityHubFindings, type FindingsStep } from '../usecases/findings';
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
  return new SecurityHubFindings({
    store: new DynamoFindingStore(common.dynamo, common.tableName),
    publisher: publisherOnFirstUse(common),
    scope: { account, region },
    clock: common.clock,
    sink: common.sink,
  });
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
