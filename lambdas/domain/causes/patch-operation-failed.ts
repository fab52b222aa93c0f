/**
 * PATCH_OPERATION_FAILED: the patch document run itself failed after the last reported patch
 * operation, so compliance was not updated. Two sources:
 *  - the newest RunPatchBaseline-family command invocation (ListCommandInvocations) ended
 *    Failed / TimedOut / Cancelled and was requested after patchState.OperationEndTime, with no
 *    successful patch command after it;
 *  - a RunPatchBaseline-family association whose run failed (Status/DetailedStatus Failed or an
 *    ErrorCode) with an ExecutionDate after OperationEndTime. An association that is merely
 *    NON_COMPLIANT because patches are missing is MISSING_PATCHES, not this.
 */
import type { CommandInvocation, InstanceAssociationStatus, NodeSnapshot } from '../types';
import type { NodeFacts } from './facts';
import { associationRunFailed, buildFacts, parseTime } from './facts';
import type { CauseRule } from './rule';
import { agentLogPath, linksFor, patchLogHint, repositoryHint } from './next-steps';

const FAILED_COMMAND_STATUSES = new Set(['failed', 'timedout', 'cancelled']);
const FAILED_STATUS_DETAILS = new Set([
  'deliverytimedout',
  'executiontimedout',
  'undeliverable',
  'terminated',
  'failed',
  'cancelled',
]);

function commandFailed(invocation: CommandInvocation): boolean {
  return (
    FAILED_COMMAND_STATUSES.has((invocation.Status ?? '').toLowerCase()) ||
    FAILED_STATUS_DETAILS.has((invocation.StatusDetails ?? '').replace(/\s/g, '').toLowerCase())
  );
}

function isAfterLastOperation(facts: NodeFacts, when: string | undefined): boolean {
  const time = parseTime(when);
  if (!time) return false;
  return facts.lastPatchOperationEnd === null || time.getTime() > facts.lastPatchOperationEnd.getTime();
}

function failedCommandAfterLastOperation(facts: NodeFacts): CommandInvocation | null {
  // Newest first: a later success supersedes an older failure; a run still in progress tells nothing yet.
  for (const invocation of facts.patchCommands) {
    if (!isAfterLastOperation(facts, invocation.RequestedDateTime)) return null;
    if (commandFailed(invocation)) return invocation;
    if ((invocation.Status ?? '').toLowerCase() === 'success') return null;
  }
  return null;
}

/**
 * True when the snapshot's patch command history (read, not deferred) shows a failed patch command
 * after the last reported patch operation: the ledger then keeps reading the history (detail-plan.ts).
 */
export function hasFailedPatchCommand(snapshot: NodeSnapshot): boolean {
  return failedCommandAfterLastOperation(buildFacts(snapshot)) !== null;
}

function failedAssociationsAfterLastOperation(facts: NodeFacts): InstanceAssociationStatus[] {
  return facts.associationsByFamily.patch.filter(
    (association) => associationRunFailed(association) && isAfterLastOperation(facts, association.ExecutionDate),
  );
}

export const PatchOperationFailedCause: CauseRule = {
  code: 'PATCH_OPERATION_FAILED',
  evaluate(facts, { settings }) {
    const command = failedCommandAfterLastOperation(facts);
    const associations = failedAssociationsAfterLastOperation(facts);
    if (!command && associations.length === 0) return null;
    const what = command
      ? `${command.DocumentName ?? 'AWS-RunPatchBaseline'} command ${command.CommandId ?? '?'} ended ${command.StatusDetails ?? command.Status ?? 'Failed'}`
      : `patch association ${associations[0]?.AssociationName ?? associations[0]?.AssociationId ?? '?'} run ${associations[0]?.DetailedStatus ?? associations[0]?.Status ?? 'Failed'}`;
    return {
      code: 'PATCH_OPERATION_FAILED',
      remediation: settings.retryFailedPatchOperations ? 'INSTALL_PATCHES' : 'NOTIFY',
      severity: facts.counts.criticalNonCompliant > 0 || facts.counts.securityNonCompliant > 0 ? 'HIGH' : 'MEDIUM',
      summary: `${what} after the last reported patch operation: compliance was not updated`,
      evidence: {
        lastPatchOperation: facts.patchState?.Operation ?? null,
        operationEndTime: facts.patchState?.OperationEndTime ?? null,
        ...(command
          ? {
              command: {
                commandId: command.CommandId ?? null,
                documentName: command.DocumentName ?? null,
                status: command.Status ?? null,
                statusDetails: command.StatusDetails ?? null,
                requestedDateTime: command.RequestedDateTime ?? null,
                comment: command.Comment ?? null,
              },
            }
          : {}),
        ...(associations.length > 0
          ? {
              associations: associations.slice(0, 10).map((association) => ({
                associationId: association.AssociationId ?? null,
                associationName: association.AssociationName ?? null,
                documentName: association.Name ?? null,
                status: association.Status ?? null,
                detailedStatus: association.DetailedStatus ?? null,
                errorCode: association.ErrorCode ?? null,
                executionDate: association.ExecutionDate ?? null,
                executionSummary: association.ExecutionSummary ?? null,
              })),
            }
          : {}),
      },
      nextSteps: [
        command
          ? `Open the command output (GetCommandInvocation ${command.CommandId ?? ''}) for the error`
          : 'Open the association execution history for the failed run\'s output',
        patchLogHint(facts.platform, facts.instanceId, command?.CommandId, facts.snapshot.instanceInformation?.PlatformName),
        `Check the agent log ${agentLogPath(facts.platform)}`,
        repositoryHint(facts.platform, facts.snapshot.instanceInformation?.PlatformName),
        'TimedOut / Undeliverable: the node may have been busy with another document, offline or rebooting; retry once it is Online',
      ],
      consoleLinks: linksFor(facts, ['commands', 'patches'], {
        ...(command?.CommandId ? { commandId: command.CommandId } : {}),
        associationIds: associations.flatMap((association) => (association.AssociationId ? [association.AssociationId] : [])),
      }),
    };
  },
};
