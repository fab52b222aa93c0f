/**
 * Security Hub findings of the autopilot: one ASFF finding per node and cause (`map.ts`), kept
 * current without churn and archived when the cause clears (`plan.ts`).
 */
import type { Decision, Diagnosis } from '../types';
import type { AsffFinding, FindingScope } from './asff';
import { planNodeFindings } from './plan';

export * from './asff';
export * from './automation';
export * from './map';
export * from './plan';

/**
 * The findings a node would produce now if nothing had been imported before (diagnose CLI `--asff`):
 * none for a compliant node or a node out of scope, else one per cause with the planned action.
 */
export function previewFindings(diagnosis: Diagnosis, decision: Decision, scope: FindingScope, now: Date): AsffFinding[] {
  if (!diagnosis.compliant && decision.action === 'NONE') return [];
  const outcome = decision.dryRun ? { kind: 'DRY_RUN' as const } : { kind: 'PLANNED' as const };
  return planNodeFindings({ kind: 'EVALUATED', diagnosis, automation: { decision, outcome } }, new Map(), scope, now).map((entry) => entry.finding);
}
