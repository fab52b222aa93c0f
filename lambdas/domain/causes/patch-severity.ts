/** Severity of a patch cause: the worst vendor severity of its patches, else the patch state rollups. */
import { maxSeverity, vendorSeverity } from '../patch-state';
import type { PatchComplianceData, Severity } from '../types';
import type { NodeFacts } from './facts';

export function patchCauseSeverity(facts: NodeFacts, patches: readonly PatchComplianceData[], fallback: Severity): Severity {
  const fromPatches = maxSeverity(patches.map((patch) => vendorSeverity(patch.Severity)), fallback);
  if (patches.some((patch) => vendorSeverity(patch.Severity) !== null)) return fromPatches;
  if (facts.counts.criticalNonCompliant > 0) return 'CRITICAL';
  if (facts.counts.securityNonCompliant > 0) return 'HIGH';
  return fallback;
}
