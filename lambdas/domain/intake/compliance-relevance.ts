/**
 * Whether a call's payload can change a node's compliance at all: the hint that lets the triage
 * acknowledge quiet repeats without an SSM read (docs/PERFORMANCE.md). Only "no" is trusted from
 * the payload, and only when it positively shows it; anything missing or truncated says "may change".
 */

/** Inventory types whose upload can change a node's patch/association compliance (AWS-FACTS table). */
export const COMPLIANCE_INVENTORY_TYPES: readonly string[] = [
  'AWS:ComplianceItem',
  'AWS:PatchSummary',
  'AWS:ComplianceSummary',
];

/**
 * False only when the item type names are all present and none is a compliance type. A missing
 * list or a nameless item (truncated payload) says nothing, so the answer is "may change".
 */
export function inventoryMayChangeCompliance(items: Array<{ typeName?: string }> | undefined): boolean {
  if (items === undefined || items.length === 0) return true;
  if (items.some((item) => item.typeName === undefined)) return true;
  return items.some((item) => COMPLIANCE_INVENTORY_TYPES.includes(item.typeName as string));
}

/**
 * The agent re-sends unchanged association compliance as a content hash with no items
 * (AWS-FACTS "Where compliance data comes from"): such a call cannot change compliance.
 */
export function complianceItemsMayChangeCompliance(items: readonly unknown[] | undefined, itemContentHash: string | undefined): boolean {
  const hashOnly = itemContentHash !== undefined && items !== undefined && items.length === 0;
  return !hashOnly;
}
