/** CUSTOM_NONCOMPLIANT: a `Custom:*` compliance type (PutComplianceItems by users/tools) has NON_COMPLIANT items. */
import { complianceSeverity, maxSeverity } from '../patch-state';
import { nonCompliantItems } from './facts';
import type { CauseRule } from './rule';
import { linksFor } from './next-steps';

export const CustomNoncompliantCause: CauseRule = {
  code: 'CUSTOM_NONCOMPLIANT',
  evaluate(facts) {
    const items = nonCompliantItems(facts, (type) => type.startsWith('Custom:'));
    // The batched summaries name Custom types even when the per-node items were not read.
    const summaries = (facts.complianceSummaries ?? []).filter(
      (summary) => (summary.ComplianceType ?? '').startsWith('Custom:') && summary.Status === 'NON_COMPLIANT',
    );
    if (items.length === 0 && summaries.length === 0) return null;
    const types = [...new Set([...items, ...summaries].map((entry) => entry.ComplianceType ?? 'Custom:?'))];
    const severity = maxSeverity(
      [...items.map((item) => complianceSeverity(item.Severity)), ...summaries.map((summary) => complianceSeverity(summary.OverallSeverity))],
      'MEDIUM',
    );
    const itemCount = items.length > 0 ? items.length : summaries.reduce((sum, summary) => sum + (summary.NonCompliantSummary?.NonCompliantCount ?? 0), 0);
    return {
      code: 'CUSTOM_NONCOMPLIANT',
      remediation: 'NOTIFY',
      severity,
      summary: `${itemCount} custom compliance item${itemCount === 1 ? ' is' : 's are'} NON_COMPLIANT in ${types.join(', ')}`,
      evidence: {
        complianceTypes: types,
        nonCompliantCount: itemCount,
        items: items.slice(0, 10).map((item) => ({
          complianceType: item.ComplianceType ?? null,
          id: item.Id ?? null,
          title: item.Title ?? null,
          severity: item.Severity ?? null,
          executionTime: item.ExecutionSummary?.ExecutionTime ?? null,
          executionId: item.ExecutionSummary?.ExecutionId ?? null,
          details: item.Details ?? null,
        })),
        truncated: items.length > 10,
      },
      nextSteps: [
        'These items are written by your own tooling (PutComplianceItems): ask the owner of that check',
        ...types.slice(0, 3).map(
          (type) => `List them: aws ssm list-compliance-items --resource-ids ${facts.instanceId} --resource-types ManagedInstance --filters Key=ComplianceType,Values=${type}`,
        ),
      ],
      consoleLinks: linksFor(facts, ['compliance', 'node']),
    };
  },
};
