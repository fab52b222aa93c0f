/**
 * Platform-specific troubleshooting pointers from AWS's own runbooks (AWS-FACTS.md,
 * "Troubleshooting pointers"): agent log, per-command orchestration output, patch operation logs.
 */
import { associationHistoryLink, complianceLink, nodeLink, nodePatchesLink, runCommandHistoryLink } from '../console-links';
import type { ConsoleLink, Platform } from '../types';
import type { NodeFacts } from './facts';

export function agentLogPath(platform: Platform): string {
  return platform === 'Windows'
    ? '%PROGRAMDATA%\\Amazon\\SSM\\Logs\\amazon-ssm-agent.log'
    : '/var/log/amazon/ssm/amazon-ssm-agent.log';
}

export function commandOutputPath(platform: Platform, instanceId: string, commandId = '<command-id>'): string {
  return platform === 'Windows'
    ? `%PROGRAMDATA%\\Amazon\\SSM\\InstanceData\\${instanceId}\\document\\orchestration\\${commandId}`
    : `/var/lib/amazon/ssm/${instanceId}/document/orchestration/${commandId}`;
}

export function patchLogHint(platform: Platform, instanceId: string, commandId?: string): string {
  return platform === 'Windows'
    ? 'Read the patch operation log in %PROGRAMDATA%\\Amazon\\PatchBaselineOperations (Install-PatchBaselineOperation-<date>) and the Windows Update log (Get-WindowsUpdateLog)'
    : `Read the patch run output in ${commandOutputPath(platform, instanceId, commandId)} and the package manager log (/var/log/dnf.log, /var/log/yum.log or /var/log/apt/history.log)`;
}

export function repositoryHint(platform: Platform): string {
  return platform === 'Windows'
    ? 'Check the node reaches Windows Update or its WSUS server (Patch Manager does not ship patches)'
    : 'Check the node reaches its OS package repositories (yum/dnf/apt mirrors, proxy, NAT): Patch Manager does not ship patches';
}

/** Region is needed for links; a hand-written snapshot without one gets none. */
export function linksFor(
  facts: NodeFacts,
  kinds: ReadonlyArray<'node' | 'patches' | 'commands' | 'compliance'>,
  extra: { commandId?: string; associationIds?: string[] } = {},
): ConsoleLink[] {
  const region = facts.region;
  if (!region) return [];
  const links: ConsoleLink[] = [];
  for (const kind of kinds) {
    if (kind === 'node') links.push(nodeLink(region, facts.instanceId));
    if (kind === 'patches') links.push(nodePatchesLink(region, facts.instanceId));
    if (kind === 'commands') links.push(runCommandHistoryLink(region, extra.commandId));
    if (kind === 'compliance') links.push(complianceLink(region));
  }
  for (const associationId of extra.associationIds ?? []) links.push(associationHistoryLink(region, associationId));
  return links;
}
