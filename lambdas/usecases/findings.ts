/**
 * Security Hub findings, one step per evaluated batch (triage and sweep): read what was imported
 * before, plan (new / changed / refresh / archive, nothing when nothing changed), import, and keep
 * the records of what Security Hub accepted. Never throws: a Security Hub or bookkeeping failure is
 * logged and counted, and the triage of the nodes goes on unaffected. What was not accepted is not
 * recorded, so the node's next full evaluation plans it again.
 */
import type { FindingScope } from '../domain/findings/asff';
import { DEFAULT_FINDING_POLICY, instanceIdOf, planNodeFindings, type FindingPolicy, type ImportReason, type NodeFindingsInput, type PlannedImport } from '../domain/findings/plan';
import type { FindingPublisher, FindingStore } from '../ports/findings';
import type { Clock, OperationalSink } from '../ports/runtime';

export interface FindingsDependencies {
  store: FindingStore;
  publisher: FindingPublisher;
  /** The account and region the findings are imported into (the pipeline's own). */
  scope: FindingScope;
  clock: Clock;
  sink: OperationalSink;
  policy?: FindingPolicy;
}

export interface FindingsReport {
  nodes: number;
  planned: number;
  imported: number;
  notImported: number;
  byReason: Partial<Record<ImportReason, number>>;
  /** Security Hub is not enabled / not subscribed / denied: nothing was imported. */
  unavailable: boolean;
}

/** The step as the triage sees it. */
export interface FindingsStep {
  sync(inputs: readonly NodeFindingsInput[]): Promise<FindingsReport>;
}

export class SecurityHubFindings implements FindingsStep {
  private readonly policy: FindingPolicy;

  constructor(private readonly deps: FindingsDependencies) {
    this.policy = deps.policy ?? DEFAULT_FINDING_POLICY;
  }

  async sync(inputs: readonly NodeFindingsInput[]): Promise<FindingsReport> {
    const report: FindingsReport = { nodes: inputs.length, planned: 0, imported: 0, notImported: 0, byReason: {}, unavailable: false };
    if (inputs.length === 0) return report;
    const { store, publisher, sink, clock, scope } = this.deps;
    try {
      const stored = await store.read(inputs.map(instanceIdOf));
      const now = clock.now();
      const plans: PlannedImport[] = inputs.flatMap((input) => planNodeFindings(input, stored.get(instanceIdOf(input)) ?? new Map(), scope, now, this.policy));
      report.planned = plans.length;
      for (const plan of plans) report.byReason[plan.reason] = (report.byReason[plan.reason] ?? 0) + 1;
      if (plans.length === 0) {
        sink.debug('Security Hub findings unchanged: nothing to import', { nodes: inputs.length });
        return report;
      }

      const result = await publisher.importFindings(plans.map((plan) => plan.finding));
      report.unavailable = result.unavailable !== undefined;
      const accepted = new Set(result.imported);
      const keep = plans.filter((plan) => accepted.has(plan.finding.Id));
      report.imported = keep.length;
      report.notImported = plans.length - keep.length;

      const saved = await Promise.allSettled(keep.map((plan) => store.save(plan.instanceId, plan.record)));
      const failed = saved.filter((entry) => entry.status === 'rejected');
      if (failed.length > 0) {
        // Imported but not recorded: the next evaluation imports them again (a later UpdatedAt), no harm.
        sink.count('SecurityHubRecordFailures', failed.length);
        sink.warn('Security Hub findings imported but not recorded in the ledger', { failed: failed.length, error: String((failed[0] as PromiseRejectedResult).reason) });
      }
      sink.info('Security Hub findings synced', { ...report });
    } catch (error) {
      sink.count('SecurityHubStepFailures');
      sink.error('Security Hub findings step failed: the nodes are triaged anyway, their findings follow at their next evaluation', {
        nodes: inputs.length,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      report.notImported = report.planned;
      report.imported = 0;
    }
    return report;
  }
}
