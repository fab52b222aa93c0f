/**
 * The daily reminder of a paused pipeline (live mode `paused`): the only message a paused autopilot
 * sends, from the sweep, at most once per PAUSED_REMINDER_HOURS (deduplicated in the ledger). Pure.
 */
import { PAUSED_REMINDER_HOURS } from '../policy/runtime-mode';
import { cleanSubjectPart, SUBJECT_MAX_CHARS } from './subject';
import type { AlertEnvironment, ComposedAlert } from './types';

export interface PausedAlertInput {
  /** The SSM parameter holding the live mode. */
  parameterName: string;
  /** When the sweep found the pipeline paused (ISO). */
  checkedAt: string;
}

export function composePausedReminder(input: PausedAlertInput, env: AlertEnvironment): ComposedAlert {
  const where = [env.account, env.region].filter(Boolean).join(' / ');
  const subject = cleanSubjectPart(`[PAUSED] ssm-compliance-autopilot${where ? ` in ${where}` : ''}: no node is remediated or alerted`).slice(0, SUBJECT_MAX_CHARS);
  const regionFlag = env.region ? ` --region ${env.region}` : '';
  const resume = `aws ssm put-parameter --overwrite --name ${input.parameterName} --value auto${regionFlag}`;
  const text = [
    subject,
    '',
    'WHAT IS GOING ON',
    '  The autopilot is paused: events are acknowledged without reading SSM, no command is sent',
    '  and no alert goes out, except this reminder once a day.',
    `  Mode parameter: ${input.parameterName} = paused (checked ${input.checkedAt})`,
    '',
    'NEXT STEPS',
    '  - Resume (every function picks it up within a minute):',
    `    ${resume}`,
    '  - Or resume without changing anything first: use --value notify-only or --value dry-run.',
    '  - Nodes that changed while paused are re-read by the sweep within reverifyHours.',
  ].join('\n');
  return {
    kind: 'AUTOPILOT_PAUSED',
    subject,
    text,
    document: {
      schemaVersion: 1,
      kind: 'AUTOPILOT_PAUSED',
      instanceId: '',
      nodeName: null,
      account: env.account ?? null,
      region: env.region ?? null,
      severity: 'INFORMATIONAL',
      action: 'NONE',
      dryRun: false,
      outcome: { kind: 'PAUSED', parameterName: input.parameterName, checkedAt: input.checkedAt, repeatHours: PAUSED_REMINDER_HOURS },
      causes: [],
      nextSteps: [resume],
      consoleLinks: [],
      truncated: false,
    },
    // SNS rejects empty attribute values: `instance` names no node here.
    attributes: { kind: 'AUTOPILOT_PAUSED', cause: 'PAUSED', severity: 'INFORMATIONAL', action: 'NONE', instance: 'none', account: env.account ?? 'unknown', region: env.region ?? 'unknown' },
  };
}
