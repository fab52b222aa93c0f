/**
 * May an association be re-run for this node? StartAssociationsOnce runs it on EVERY target of the
 * association, not on one node (AWS-FACTS "Acting"), so it may only run when every node it can reach
 * is in scope `auto`. Provable from the targets alone in two shapes only:
 *  - `InstanceIds` naming only the node being remediated (its scope is `auto`: the plan acted on it);
 *  - `tag:<tagKey>` whose values all read `auto` (the scope tag itself selects the targets).
 * Anything else (other nodes, other tags, resource groups, `*`) cannot be proven in scope: alert instead. Pure.
 */
import type { AutopilotSettings } from '../settings';

export interface AssociationTargetsFact {
  associationId: string;
  targets: ReadonlyArray<{ key: string; values: readonly string[] }>;
}

export type AssociationScopeVerdict = { allowed: true } | { allowed: false; reason: string };

export function associationRerunScope(
  instanceId: string,
  associations: readonly AssociationTargetsFact[],
  settings: Pick<AutopilotSettings, 'tagKey'>,
): AssociationScopeVerdict {
  for (const association of associations) {
    if (association.targets.length === 0) return { allowed: false, reason: `association ${association.associationId} has no targets SSM could name` };
    for (const target of association.targets) {
      if (target.key === 'InstanceIds' && target.values.length > 0 && target.values.every((value) => value === instanceId)) continue;
      if (target.key === `tag:${settings.tagKey}` && target.values.length > 0 && target.values.every((value) => value.trim().toLowerCase() === 'auto')) continue;
      return {
        allowed: false,
        reason: `association ${association.associationId} targets ${target.key}=${target.values.join(',')}: a re-run may reach nodes not in scope auto`,
      };
    }
  }
  return { allowed: true };
}
