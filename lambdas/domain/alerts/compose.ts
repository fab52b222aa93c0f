/**
 * Alert composition, written for a tired on-call engineer: the subject says cause, node and what
 * happens next; the body says what is wrong, the evidence, what was done (or deferred, or only
 * simulated) and why, the next steps and where to click. Pure: same input, same alert.
 * Which deferrals are alerted at all: `deferral.ts`.
 */
import { nodeLink, runCommandHistoryLink } from '../console-links';
import { SEVERITIES, type Cause, type ConsoleLink, type RemediationAction, type Severity } from '../types';
import { limitEvidence, renderEvidence, tailExcerpt } from './evidence';
import { causeFingerprint } from './fingerprint';
import { composeSubject } from './subject';
import type {
  ActionOutcome,
  AlertDocument,
  AlertEnvironment,
  AlertKind,
  CommandFailedAlertInput,
  ComposedAlert,
  DeferralGuard,
  DiagnosisAlertInput,
  ResolvedAlertInput,
} from './types';

/** Size knobs the SNS message fitter lowers step by step until the message fits. */
export interface ComposeBudget {
  /** Characters of JSON evidence per cause. */
  evidenceChars: number;
  /** Characters of command output (stderr and stdout tail each). */
  outputChars: number;
}
export const FULL_BUDGET: ComposeBudget = { evidenceChars: 20_000, outputChars: 4_000 };

export { deferralNeedsAlert } from './deferral';

const DEFERRAL_PHRASES: Record<DeferralGuard, string> = {
  CALENDAR_CLOSED: 'change calendar CLOSED',
  REMEDIATION_CAP: 'remediation cap reached',
  REBOOT_CAP: 'reboot cap reached',
  NODE_TOO_YOUNG: 'node booted too recently',
  COOLDOWN: 'cooldown after last command',
};

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

function actionVerb(action: RemediationAction): string {
  switch (action) {
    case 'REBOOT_NODE':
      return 'rebooting via RunPatchBaseline';
    case 'INSTALL_PATCHES':
      return 'installing patches via RunPatchBaseline';
    case 'RERUN_ASSOCIATION':
      return 're-running failed association';
    case 'NOTIFY':
    case 'NONE':
      return 'needs a human';
  }
}

/** Dry-run phrases, short so the subject keeps the node name (SNS subjects stay under 100 characters). */
function wouldVerb(action: Exclude<RemediationAction, 'NOTIFY' | 'NONE'>): string {
  switch (action) {
    case 'REBOOT_NODE':
      return 'would reboot (RunPatchBaseline)';
    case 'INSTALL_PATCHES':
      return 'would install patches';
    case 'RERUN_ASSOCIATION':
      return 'would re-run association';
  }
}

function commandDescription(action: RemediationAction): string {
  return action === 'REBOOT_NODE'
    ? 'AWS-RunPatchBaseline (Operation=Install, RebootOption=RebootIfNeeded): installs what is missing and reboots'
    : 'AWS-RunPatchBaseline (Operation=Install): installs the missing patches';
}

/** The subject's "what happens next" phrase. */
export function nextPhrase(action: RemediationAction, outcome: ActionOutcome): string {
  switch (outcome.kind) {
    case 'COMMAND_SENT':
    case 'ASSOCIATIONS_STARTED':
      return actionVerb(action);
    case 'DRY_RUN':
      // The subject's tag already says DRY RUN: once is enough, the room goes to the node name.
      return action === 'NOTIFY' || action === 'NONE' ? 'needs a human' : wouldVerb(action);
    case 'NOTIFIED':
      return 'needs a human';
    case 'DEFERRED':
      return `deferred (${DEFERRAL_PHRASES[outcome.guard]})`;
    case 'EXHAUSTED':
      return `gave up after ${outcome.attempts} attempts, needs a human`;
    case 'SKIPPED':
      return 'command already in flight';
  }
}

function outcomeLines(input: DiagnosisAlertInput): string[] {
  const { decision, outcome } = input;
  switch (outcome.kind) {
    case 'COMMAND_SENT':
      return [
        `Sent command ${outcome.commandId}: ${commandDescription(decision.action)}.`,
          ];
    case 'ASSOCIATIONS_STARTED':
      return [`Re-ran association(s) ${outcome.associationIds.join(', ')} once (StartAssociationsOnce).`];
    case 'DRY_RUN':
      return decision.action === 'NOTIFY' || decision.action === 'NONE'
        ? ['DRY RUN (mode dry-run): nothing was changed. This node needs a human in any mode.']
        : [`DRY RUN (mode dry-run): NOTHING WAS CHANGED. In mode auto the pipeline would have sent ${commandDescription(decision.action)}.`];
    case 'NOTIFIED':
      return ['Nothing was changed on the node: it needs a human.'];
    case 'DEFERRED':
      return [
        `Deferred, not dropped: ${outcome.reason}.`,
        'The scheduled sweep re-evaluates the node and acts once the reason is gone.',
      ];
    case 'EXHAUSTED':
      return [
        `No further command: ${outcome.attempts} remediation attempts in ${outcome.windowHours} h did not make the node compliant (${outcome.reason}).`,
        'The pipeline will not retry this cause inside the window: it needs a human.',
      ];
    case 'SKIPPED':
      return [`No new command: ${outcome.reason}.`];
  }
}

function uniqueLinks(links: readonly ConsoleLink[]): ConsoleLink[] {
  const seen = new Set<string>();
  return links.filter((link) => (seen.has(link.url) ? false : (seen.add(link.url), true)));
}

function uniqueLines(lines: readonly string[]): string[] {
  return [...new Set(lines)];
}

function section(title: string, lines: readonly string[]): string {
  return [title, ...lines].join('\n');
}

/**
 * How a node is named in a subject: its Name tag; without one, its hostname, labelled as such so
 * nobody searches the console for it as a Name (issue 15).
 */
export function subjectNodeName(fields: { nodeName?: string; hostname?: string }): string | undefined {
  if (fields.nodeName) return fields.nodeName;
  return fields.hostname ? `host ${fields.hostname}` : undefined;
}

function nodeLines(fields: { instanceId: string; nodeName?: string; hostname?: string; platform?: string; capturedAt?: string }, env: AlertEnvironment): string[] {
  const name = fields.nodeName ? ` (Name: ${fields.nodeName})` : fields.hostname ? ` (no Name tag; hostname: ${fields.hostname})` : '';
  return [
    `  Instance: ${fields.instanceId}${name}`,
    ...(fields.platform ? [`  Platform: ${fields.platform}`] : []),
    `  Account / region: ${env.account ?? 'unknown'} / ${env.region ?? 'unknown'}`,
    ...(fields.capturedAt ? [`  State read at: ${fields.capturedAt}`] : []),
  ];
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

function agentLogSteps(platform: string | undefined, instanceId: string, commandId: string): string[] {
  const linux = `Linux/macOS: /var/log/amazon/ssm/amazon-ssm-agent.log and /var/lib/amazon/ssm/${instanceId}/document/orchestration/${commandId}`;
  const windows = 'Windows: %PROGRAMDATA%\\Amazon\\SSM\\Logs\\amazon-ssm-agent.log and %PROGRAMDATA%\\Amazon\\PatchBaselineOperations (Install-PatchBaselineOperation-<date>)';
  if (platform === 'Linux' || platform === 'MacOS') return [`Read the agent and command logs on the node: ${linux}`];
  if (platform === 'Windows') return [`Read the agent and command logs on the node: ${windows}`];
  return [`Read the agent and command logs on the node: ${linux}; ${windows}`];
}

/** PATCH_OPERATION_FAILED from the follow-up: the command the pipeline sent ended Failed/TimedOut/Cancelled. */
export function composeCommandFailedAlert(input: CommandFailedAlertInput, env: AlertEnvironment, budget: ComposeBudget = FULL_BUDGET): ComposedAlert {
  const region = input.region ?? env.region;
  const statusText = input.statusDetails && input.statusDetails !== input.status ? `${input.status} (${input.statusDetails})` : input.status;
  const subject = composeSubject({
    tag: 'PATCH_OPERATION_FAILED',
    instanceId: input.instanceId,
    ...(input.nodeName ? { nodeName: input.nodeName } : {}),
    next: `our command ${statusText}, needs a human`,
  });
  const stderr = tailExcerpt(input.standardErrorContent ?? '', budget.outputChars);
  const stdout = tailExcerpt(input.standardOutputContent ?? '', budget.outputChars);
  const truncated = stderr.cut || stdout.cut;
  const severity: Severity = input.causes?.includes('PENDING_REBOOT') || input.status === 'TimedOut' ? 'HIGH' : 'MEDIUM';
  const links = region
    ? [runCommandHistoryLink(region, input.commandId), nodeLink(region, input.instanceId)]
    : [];
  const nextSteps = [
    ...(input.status === 'TimedOut'
      ? ['The command timed out: check the node was reachable and not busy with another document (agents run one document at a time)']
      : []),
    ...(input.status === 'Cancelled' ? ['The command was cancelled: check who cancelled it (CloudTrail CancelCommand) before retrying'] : []),
    ...agentLogSteps(input.platform, input.instanceId, input.commandId),
    'Check the node reaches its OS package repositories (yum/dnf/apt, Windows Update): Patch Manager does not ship patches',
    'Fix the cause, then run AWS-RunPatchBaseline (Install) again; the pipeline does not retry this cause past its attempt cap',
  ];
  const outputLines = input.outputUnavailableReason
    ? [`  Command output could not be read: ${input.outputUnavailableReason}`]
    : [
        `  Response code: ${input.responseCode ?? '-'}`,
        `  Standard error (last ${budget.outputChars} characters${stderr.cut ? ', cut' : ''}):`,
        ...(stderr.excerpt ? stderr.excerpt.split('\n').map((line) => `    ${line}`) : ['    (empty)']),
        `  Standard output (last ${budget.outputChars} characters${stdout.cut ? ', cut' : ''}):`,
        ...(stdout.excerpt ? stdout.excerpt.split('\n').map((line) => `    ${line}`) : ['    (empty)']),
      ];
  const text = [
    subject,
    '',
    section('WHAT IS WRONG', [
      `  The ${input.documentName} command ${input.commandId} the autopilot sent${input.action ? ` (${input.action}${input.causes && input.causes.length > 0 ? ` for ${input.causes.join(', ')}` : ''})` : ''} ended ${statusText}.`,
      '  The node is still non-compliant.',
    ]),
    '',
    section('WHAT WAS DONE', [
      '  The node lock was released. No automatic retry beyond the attempt cap: a repeat failure escalates to REMEDIATION_EXHAUSTED.',
    ]),
    '',
    section('COMMAND OUTPUT (GetCommandInvocation)', outputLines),
    '',
    section('NEXT STEPS', nextSteps.map((step) => `  - ${step}`)),
    ...(links.length > 0 ? ['', section('CONSOLE', links.map((link) => `  - ${link.label}: ${link.url}`))] : []),
    '',
    section('NODE', nodeLines({ instanceId: input.instanceId, ...(input.nodeName ? { nodeName: input.nodeName } : {}), ...(input.platform ? { platform: input.platform } : {}) }, env)),
  ].join('\n');
  const evidence = {
    commandId: input.commandId,
    documentName: input.documentName,
    status: input.status,
    statusDetails: input.statusDetails ?? null,
    responseCode: input.responseCode ?? null,
    requestedDateTime: input.requestedDateTime ?? null,
    standardErrorTail: stderr.excerpt,
    standardOutputTail: stdout.excerpt,
    outputUnavailableReason: input.outputUnavailableReason ?? null,
  };
  return {
    kind: 'PATCH_OPERATION_FAILED',
    subject,
    text,
    document: {
      schemaVersion: 1,
      kind: 'PATCH_OPERATION_FAILED',
      instanceId: input.instanceId,
      nodeName: input.nodeName ?? null,
      account: env.account ?? null,
      region: region ?? null,
      severity,
      action: 'NOTIFY',
      dryRun: false,
      outcome: { kind: 'COMMAND_ENDED', status: input.status, commandId: input.commandId },
      remediatedAction: input.action ?? null,
      remediatedCauses: input.causes ?? [],
      causes: [
        {
          code: 'PATCH_OPERATION_FAILED',
          severity,
          summary: `${input.documentName} command ${input.commandId} ended ${statusText}`,
          evidence,
          nextSteps,
          // The command ID is part of it: each failed command is its own news.
          fingerprint: causeFingerprint(input.instanceId, { code: 'PATCH_OPERATION_FAILED', evidence: { commandId: input.commandId, status: input.status } }),
        },
      ],
      nextSteps,
      consoleLinks: links,
      truncated,
    },
    attributes: {
      kind: 'PATCH_OPERATION_FAILED',
      cause: 'PATCH_OPERATION_FAILED',
      severity,
      action: 'NOTIFY',
      instance: input.instanceId,
      account: env.account ?? 'unknown',
      region: region ?? 'unknown',
    },
  };
}
