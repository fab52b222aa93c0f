/**
 * The PATCH_OPERATION_FAILED alert from the follow-up: a command the pipeline sent ended Failed,
 * TimedOut or Cancelled. The body carries the tail of the command output and where the agent logs
 * are on the node. Pure.
 */
import { nodeLink, runCommandHistoryLink } from '../console-links';
import type { Severity } from '../types';
import { tailExcerpt } from './evidence';
import { causeFingerprint } from './fingerprint';
import { FULL_BUDGET, nodeLines, section, type ComposeBudget } from './sections';
import { composeSubject } from './subject';
import type { AlertEnvironment, CommandFailedAlertInput, ComposedAlert } from './types';

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
