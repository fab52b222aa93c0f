/**
 * What every alert text is built from, so on-call reads each kind the same way: the size budget the
 * SNS message fitter lowers (`sns-message.ts`), titled sections, and the NODE lines. Pure.
 */
import type { AlertEnvironment } from './types';

/** Size knobs the SNS message fitter lowers step by step until the message fits. */
export interface ComposeBudget {
  /** Characters of JSON evidence per cause. */
  evidenceChars: number;
  /** Characters of command output (stderr and stdout tail each). */
  outputChars: number;
}
export const FULL_BUDGET: ComposeBudget = { evidenceChars: 20_000, outputChars: 4_000 };

/** A titled block of the alert text (WHAT IS WRONG, NEXT STEPS, ...). */
export function section(title: string, lines: readonly string[]): string {
  return [title, ...lines].join('\n');
}

/** The NODE block: instance, Name tag (or hostname, labelled as such), platform, account / region. */
export function nodeLines(fields: { instanceId: string; nodeName?: string; hostname?: string; platform?: string; capturedAt?: string }, env: AlertEnvironment): string[] {
  const name = fields.nodeName ? ` (Name: ${fields.nodeName})` : fields.hostname ? ` (no Name tag; hostname: ${fields.hostname})` : '';
  return [
    `  Instance: ${fields.instanceId}${name}`,
    ...(fields.platform ? [`  Platform: ${fields.platform}`] : []),
    `  Account / region: ${env.account ?? 'unknown'} / ${env.region ?? 'unknown'}`,
    ...(fields.capturedAt ? [`  State read at: ${fields.capturedAt}`] : []),
  ];
}
