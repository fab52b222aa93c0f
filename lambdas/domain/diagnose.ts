/**
 * The classifier entry: every registered cause rule over one snapshot. Pure: same snapshot and
 * settings, same diagnosis (the snapshot's `capturedAt` is "now").
 */
import { buildFacts } from './causes/facts';
import { CAUSE_RULES } from './causes/registry';
import type { CauseRule } from './causes/rule';
import { securityUpdateCompliance } from './causes/security-updates-not-approved';
import type { AutopilotSettings } from './settings';
import type { Cause, Diagnosis, NodeSnapshot } from './types';

// The triage loads this module lazily; what it needs of the causes beside the diagnosis comes with it.
export { hasFailedPatchCommand } from './causes/patch-operation-failed';

export function diagnose(
  snapshot: NodeSnapshot,
  settings: AutopilotSettings,
  rules: readonly CauseRule[] = CAUSE_RULES,
): Diagnosis {
  const facts = buildFacts(snapshot);
  const causes: Cause[] = [];
  for (const rule of rules) {
    const cause = rule.evaluate(facts, { settings });
    if (cause) causes.push(cause);
  }
  const notes: string[] = [];
  if (
    facts.platform === 'Windows' &&
    facts.counts.availableSecurityUpdates > 0 &&
    securityUpdateCompliance(facts) === 'COMPLIANT'
  ) {
    notes.push(
      `${facts.counts.availableSecurityUpdates} Windows security update(s) are available but not approved; the baseline counts them as COMPLIANT, so they do not make the node non-compliant`,
    );
  }
  // The Name tag is what console users know a node by; the hostname is only a labelled fallback.
  const nodeName = snapshot.tags?.['Name']?.trim() || undefined;
  const hostname = nodeName ? undefined : snapshot.instanceInformation?.ComputerName?.trim() || undefined;
  return {
    instanceId: snapshot.instanceId,
    capturedAt: snapshot.capturedAt,
    platform: facts.platform,
    ...(nodeName ? { nodeName } : {}),
    ...(hostname ? { hostname } : {}),
    compliant: causes.length === 0,
    causes,
    ...(notes.length > 0 ? { notes } : {}),
  };
}
