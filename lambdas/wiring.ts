/**
 * The Lambdas' dependencies, built once per module from the environment. Each handler builds only
 * what it runs (`wiring/common.ts` plus `wiring/triage.ts`, `wiring/follow-up.ts` or
 * `wiring/sweep.ts`), which keeps every bundle to the code it needs. `buildDependencies` builds all
 * three over one set of clients: the simulator and tests use it with a local endpoint and their own sink.
 */
import type { CommandFollowUp } from './usecases/follow-up';
import type { LedgerSweep } from './usecases/sweep';
import type { TriageUseCase } from './usecases/triage';
import { buildCommon, type Common, type WiringOverrides } from './wiring/common';
import { buildFollowUp } from './wiring/follow-up';
import { buildSweep } from './wiring/sweep';
import { buildTriage } from './wiring/triage';

export { powertoolsSink, type WiringOverrides } from './wiring/common';

export type Dependencies = Pick<Common, 'settings' | 'logger' | 'metrics' | 'sink'> & {
  triage: TriageUseCase;
  followUp: CommandFollowUp;
  sweep: LedgerSweep;
};

/** Reads the Lambda environment contract (see docs/CONFIGURATION.md); fails early naming what is missing. */
export function buildDependencies(env: Record<string, string | undefined>, overrides: WiringOverrides = {}): Dependencies {
  const common = buildCommon(env, overrides);
  const triage = buildTriage(common);
  const followUp = buildFollowUp(common);
  return {
    settings: common.settings,
    logger: common.logger,
    metrics: common.metrics,
    sink: common.sink,
    triage,
    followUp,
    sweep: buildSweep(common, triage, followUp),
  };
}
