/**
 * The diagnosis alert (and its exhausted and deferred forms), written for a tired on-call engineer:
 * the subject says cause, node and what happens next; the body says what is wrong, the evidence,
 * what was done (or deferred, or only simulated) and why, the next steps and where to click.
 * Pure: same input, same alert. Which deferrals are alerted at all: `deferral.ts`; the wording of
 * what happens next: `diagnosis-outcome.ts`.
 */
import { nodeLink, runCommandHistoryLink } from '../console-links';
import { SEVERITIES, type Cause, type ConsoleLink, type Severity } from '../types';
import { nextPhrase, outcomeLines } from './diagnosis-outcome';
import { limitEvidence, renderEvidence } from './evidence';
import { causeFingerprint } from './fingerprint';
import { FULL_BUDGET, nodeLines, section, type ComposeBudget } from './sections';
import { composeSubject } from './subject';
import type { ActionOutcome, AlertDocument, AlertEnvironment, AlertKind, ComposedAlert, DiagnosisAlertInput } from './types';

function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function highestSeverity(severities: readonly Severity[]): Severity {
  return [...severities].sort((a, b) => severityRank(a) - severityRank(b))[0] ?? 'INFORMATIONAL';
}

/** The cause a subject names: the most severe, the first in diagnosis order on a tie. */
function primaryCause(causes: readonly Cause[]): Cause | undefined {
  return [...causes].sort((a, b) => severityRank(a.severity) - severityRank(b.severity))[0];
}

function causeTag(causes: readonly Pick<Cause, 'code'>[], primary: string): string {
  return causes.length > 1 ? `${primary} +${causes.length - 1}` : primary;
}

function uniqueLinks(links: readonly ConsoleLink[]): ConsoleLink[] {
  const seen = new Set<string>();
  return links.filter((link) => (seen.has(link.url) ? false : (seen.add(link.url), true)));
}

function uniqueLines(lines: readonly string[]): string[] {
  return [...new Set(lines)];
}

/**
 * How a node is named in a subject: its Name tag; without one, its hostname, labelled as such so
 * nobody searches the console for it as a Name (issue 15).
 */
export function subjectNodeName(fields: { nodeName?: string; hostname?: string }): string | undefined {
  if (fields.nodeName) return fields.nodeName;
  return fields.hostname ? `host ${fields.hostname}` : undefined;
}

function kindOf(outcome: ActionOutcome): AlertKind {
  if (outcome.kind === 'EXHAUSTED') return 'REMEDIATION_EXHAUSTED';
  if (outcome.kind === 'DEFERRED') return 'REMEDIATION_DEFERRED';
  return 'DIAGNOSIS';
}

/** Diagnosis, exhausted and deferred alerts: one message per node with all its causes. */
export function composeDiagnosisAlert(input: DiagnosisAlertInput, env: AlertEnvironment, budget: ComposeBudget = FULL_BUDGET): ComposedAlert {
  const { diagnosis, decision, outcome } = input;
  const kind = kindOf(outcome);
  const primary = primaryCause(diagnosis.causes);
  const primaryCode = primary?.code ?? 'UNKNOWN';
  const severity = highestSeverity(diagnosis.causes.map((cause) => cause.severity));
  const dryRun = decision.dryRun || outcome.kind === 'DRY_RUN';
  const subjectTag = kind === 'REMEDIATION_EXHAUSTED' ? `EXHAUSTED ${primaryCode}` : causeTag(diagnosis.causes, primaryCode);
  const subject = composeSubject({
    tag: dryRun && kind === 'DIAGNOSIS' ? `DRY RUN ${subjectTag}` : subjectTag,
    instanceId: diagnosis.instanceId,
    ...(subjectNodeName(diagnosis) ? { nodeName: subjectNodeName(diagnosis) } : {}),
    next: nextPhrase(decision.action, outcome),
  });

  let truncated = false;
  const causes = diagnosis.causes.map((cause) => {
    const limited = limitEvidence(cause.evidence, budget.evidenceChars);
    truncated ||= limited.truncated;
    return { cause, evidence: limited.evidence, fingerprint: causeFingerprint(diagnosis.instanceId, cause) };
  });
  // While our command works on a cause, its manual steps would only race the command.
  const handledByCommand = new Set<string>(
    outcome.kind === 'COMMAND_SENT' || outcome.kind === 'ASSOCIATIONS_STARTED' ? decision.causes : [],
  );
  const nextSteps = uniqueLines([
    ...(handledByCommand.size > 0
      ? [`None for ${[...handledByCommand].join(', ')} while the command runs: a PATCH_OPERATION_FAILED alert follows if it fails`]
      : []),
    ...diagnosis.causes.filter((cause) => !handledByCommand.has(cause.code)).flatMap((cause) => cause.nextSteps),
  ]);
  const links = uniqueLinks([
    ...(env.region ? [nodeLink(env.region, diagnosis.instanceId)] : []),
    ...(outcome.kind === 'COMMAND_SENT' && env.region ? [runCommandHistoryLink(env.region, outcome.commandId)] : []),
    ...diagnosis.causes.flatMap((cause) => cause.consoleLinks),
  ]);

  const text = [
    subject,
    '',
    section(
      'WHAT IS WRONG',
      diagnosis.causes.flatMap((cause) => [`  - ${cause.code} (${cause.severity}): ${cause.summary}`, ...(cause.message ? [`    Agent: ${cause.message}`] : [])]),
    ),
    ...(diagnosis.notes && diagnosis.notes.length > 0 ? ['', section('NOTES', diagnosis.notes.map((note) => `  - ${note}`))] : []),
    '',
    section(
      dryRun ? 'WHAT WAS DONE (DRY RUN: NOTHING CHANGED)' : 'WHAT WAS DONE',
      [...outcomeLines(input).map((line) => `  ${line}`), `  Decision: ${decision.action} (node scope ${decision.nodeMode}): ${decision.reason}`],
    ),
    '',
    section('EVIDENCE', causes.flatMap(({ cause, evidence }) => [`  ${cause.code}:`, ...renderEvidence(evidence, 2)])),
    '',
    section('NEXT STEPS', nextSteps.map((step) => `  - ${step}`)),
    '',
    section('CONSOLE', links.map((link) => `  - ${link.label}: ${link.url}`)),
    '',
    section('NODE', nodeLines({ ...diagnosis, platform: diagnosis.platform }, env)),
    ...(truncated ? ['', 'Some evidence was cut to fit the SNS message size limit; run the diagnose CLI for the full picture.'] : []),
  ].join('\n');

  const document: AlertDocument = {
    schemaVersion: 1,
    kind,
    instanceId: diagnosis.instanceId,
    nodeName: diagnosis.nodeName ?? null,
    hostname: diagnosis.hostname ?? null,
    account: env.account ?? null,
    region: env.region ?? null,
    severity,
    action: decision.action,
    dryRun,
    outcome: { ...outcome },
    decision: { action: decision.action, reason: decision.reason, nodeMode: decision.nodeMode, causes: decision.causes },
    capturedAt: diagnosis.capturedAt,
    platform: diagnosis.platform,
    causes: causes.map(({ cause, evidence, fingerprint }) => ({
      code: cause.code,
      severity: cause.severity,
      summary: cause.summary,
      evidence,
      nextSteps: cause.nextSteps,
      fingerprint,
    })),
    nextSteps,
    consoleLinks: links,
    truncated,
  };
  return {
    kind,
    subject,
    text,
    document,
    attributes: {
      kind,
      cause: primaryCode,
      severity,
      action: decision.action,
      instance: diagnosis.instanceId,
      account: env.account ?? 'unknown',
      region: env.region ?? 'unknown',
    },
  };
}
