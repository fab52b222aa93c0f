/** Evidence shared by the association causes: statuses and NON_COMPLIANT Association compliance items. */
import type { ComplianceItem, InstanceAssociationStatus } from '../types';

export interface AssociationEvidence {
  associationId: string | null;
  associationName: string | null;
  documentName: string | null;
  status: string | null;
  detailedStatus: string | null;
  errorCode: string | null;
  executionDate: string | null;
  executionSummary: string | null;
  source: 'DescribeInstanceAssociationsStatus' | 'ListComplianceItems';
}

export function fromStatus(association: InstanceAssociationStatus): AssociationEvidence {
  return {
    associationId: association.AssociationId ?? null,
    associationName: association.AssociationName ?? null,
    documentName: association.Name ?? null,
    status: association.Status ?? null,
    detailedStatus: association.DetailedStatus ?? null,
    errorCode: association.ErrorCode ?? null,
    executionDate: association.ExecutionDate ?? null,
    executionSummary: association.ExecutionSummary ?? null,
    source: 'DescribeInstanceAssociationsStatus',
  };
}

/** Association compliance items: Id = association ID, Details.DocumentName = document (AWS-FACTS.md). */
export function fromComplianceItem(item: ComplianceItem): AssociationEvidence {
  return {
    associationId: item.Id ?? null,
    associationName: item.Title ?? null,
    documentName: item.Details?.['DocumentName'] ?? null,
    status: item.Status ?? null,
    detailedStatus: null,
    errorCode: null,
    executionDate: item.ExecutionSummary?.ExecutionTime ?? null,
    executionSummary: null,
    source: 'ListComplianceItems',
  };
}

/** One entry per association ID; statuses (richer) win over compliance items. */
export function mergeByAssociationId(entries: AssociationEvidence[]): AssociationEvidence[] {
  const byId = new Map<string, AssociationEvidence>();
  const anonymous: AssociationEvidence[] = [];
  for (const entry of entries) {
    if (!entry.associationId) {
      anonymous.push(entry);
      continue;
    }
    const existing = byId.get(entry.associationId);
    if (!existing || (existing.source === 'ListComplianceItems' && entry.source === 'DescribeInstanceAssociationsStatus')) {
      byId.set(entry.associationId, entry);
    }
  }
  return [...byId.values(), ...anonymous];
}

export function associationIdsOf(entries: AssociationEvidence[]): string[] {
  return entries.flatMap((entry) => (entry.associationId ? [entry.associationId] : []));
}

/**
 * The agent's own words about a failed run (DescribeInstanceAssociationsStatus ExecutionSummary, e.g.
 * "... The operation configure failed because parameter store /cwagent/linux-config was not found."),
 * as the cause's `message`: alerts show it on its own line.
 */
export function agentMessage(entry: AssociationEvidence | undefined): { message?: string } {
  const text = entry?.executionSummary?.replace(/\s+/g, ' ').trim();
  return text ? { message: text } : {};
}
