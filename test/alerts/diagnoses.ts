/** Real diagnoses for alert tests: the example snapshots through the real diagnosis engine. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { diagnose } from '../../lambdas/domain/diagnose';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { parseSnapshot } from '../../lambdas/domain/snapshot-schema';
import type { Decision, Diagnosis, NodeSnapshot } from '../../lambdas/domain/types';

export function exampleSnapshot(name: string): NodeSnapshot {
  const file = path.join(__dirname, '../../examples', `${name}.json`);
  return parseSnapshot(JSON.parse(readFileSync(file, 'utf8')), file);
}

export function exampleDiagnosis(name: string, mutate?: (snapshot: NodeSnapshot) => NodeSnapshot): Diagnosis {
  const snapshot = exampleSnapshot(name);
  return diagnose(mutate ? mutate(snapshot) : snapshot, DEFAULT_SETTINGS);
}

export function decisionFor(diagnosis: Diagnosis, overrides: Partial<Decision> = {}): Decision {
  return {
    action: diagnosis.causes.some((cause) => cause.code === 'PENDING_REBOOT') ? 'REBOOT_NODE' : 'NOTIFY',
    reason: 'pending reboot on an opted-in node: one RunPatchBaseline Install with RebootIfNeeded',
    dryRun: false,
    nodeMode: 'auto',
    causes: diagnosis.causes.map((cause) => cause.code),
    ...overrides,
  };
}
