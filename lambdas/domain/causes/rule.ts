/**
 * The shape of one cause rule (cdk-nag style): a pure function over the facts of one node that
 * returns the cause it proves, or null. Each rule lives in its own module; `registry.ts` lists them.
 */
import type { AutopilotSettings } from '../settings';
import type { Cause, CauseCode } from '../types';
import type { NodeFacts } from './facts';

export interface RuleContext {
  settings: AutopilotSettings;
}

export interface CauseRule {
  code: CauseCode;
  evaluate(facts: NodeFacts, context: RuleContext): Cause | null;
}
