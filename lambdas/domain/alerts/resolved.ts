/**
 * The RESOLVED alert: one message when a node that was alerted is compliant again (the ledger hands
 * its open causes to one caller only, so one message). Pure.
 */
import { nodeLink } from '../console-links';
import { nodeLines, section } from './sections';
import { composeSubject } from './subject';
import type { AlertEnvironment, ComposedAlert, ResolvedAlertInput } from './types';

export function composeResolvedAlert(input: ResolvedAlertInput, env: AlertEnvironment): ComposedAlert {
  const codes = input.resolvedCauses.length > 0 ? input.resolvedCauses : ['NON_COMPLIANCE'];
  const tag = `RESOLVED ${codes.length > 1 ? `${codes[0]} +${codes.length - 1}` : codes[0]}`;
  const subject = composeSubject({
    tag,
    instanceId: input.instanceId,
    ...(input.nodeName ? { nodeName: input.nodeName } : {}),
    next: 'compliant again, nothing to do',
  });
  const region = input.region ?? env.region;
  const links = region ? [nodeLink(region, input.instanceId)] : [];
  const text = [
    subject,
    '',
    section('WHAT CHANGED', [`  The node is compliant again. Resolved: ${codes.join(', ')}.`]),
    '',
    section('NEXT STEPS', ['  - None. Close the page or ticket opened for the earlier alert.']),
    ...(links.length > 0 ? ['', section('CONSOLE', links.map((link) => `  - ${link.label}: ${link.url}`))] : []),
    '',
    section('NODE', nodeLines({ instanceId: input.instanceId, ...(input.nodeName ? { nodeName: input.nodeName } : {}), capturedAt: input.capturedAt }, env)),
  ].join('\n');
  return {
    kind: 'RESOLVED',
    subject,
    text,
    document: {
      schemaVersion: 1,
      kind: 'RESOLVED',
      instanceId: input.instanceId,
      nodeName: input.nodeName ?? null,
      account: env.account ?? null,
      region: region ?? null,
      severity: 'INFORMATIONAL',
      action: 'NONE',
      dryRun: false,
      outcome: { kind: 'RESOLVED' },
      resolvedCauses: codes,
      capturedAt: input.capturedAt,
      causes: [],
      nextSteps: [],
      consoleLinks: links,
      truncated: false,
    },
    attributes: {
      kind: 'RESOLVED',
      cause: codes[0] ?? 'NON_COMPLIANCE',
      severity: 'INFORMATIONAL',
      action: 'NONE',
      instance: input.instanceId,
      account: env.account ?? 'unknown',
      region: region ?? 'unknown',
    },
  };
}
