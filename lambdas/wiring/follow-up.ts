/** The command follow-up over the common dependencies (follow-up Lambda; the sweep settles through it too). */
import { SsmCommandFinder } from '../adapters/ssm-command-finder';
import { SsmCommandOutputReader } from '../adapters/ssm-command-output';
import { CommandFollowUp } from '../usecases/follow-up';
import type { Common } from './common';

export function buildFollowUp(common: Common): CommandFollowUp {
  const { ledger, notifier, lifecycle, clock, sink, environment } = common;
  return new CommandFollowUp({
    ledger,
    finder: new SsmCommandFinder(common.ssm),
    outputReader: new SsmCommandOutputReader(common.ssm),
    notifier,
    lifecycle,
    clock,
    sink,
    environment,
    ...(common.liveMode ? { liveMode: common.liveMode.source } : {}),
  });
}
