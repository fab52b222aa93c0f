/**
 * AWS console deep links for a node, in the node's region. Pure string building; China and GovCloud
 * partitions have their own console hosts. Only routes AWS documents or that public code uses widely
 * (checked for issue 15; each function names where its route comes from). Where no documented route
 * reaches a tab (the node's Patches tab), the link goes to the page that holds it and its label says
 * which tab to open.
 */
import type { ConsoleLink } from './types';

export function consoleHost(region: string): string {
  if (region.startsWith('cn-')) return 'https://console.amazonaws.cn';
  if (region.startsWith('us-gov-')) return 'https://console.amazonaws-us-gov.com';
  return `https://${region}.console.aws.amazon.com`;
}

function ssmConsoleUrl(region: string, path: string): string {
  return `${consoleHost(region)}/systems-manager/${path}?region=${encodeURIComponent(region)}`;
}

/** `fleet-manager/managed-nodes/<id>/general`: the node page as public tooling links it (e.g. cloud inventory link templates); its `/connect` and `/remote-desktop` siblings appear in public Terraform outputs. */
export function nodeLink(region: string, instanceId: string): ConsoleLink {
  return {
    label: 'Fleet Manager: node overview',
    url: ssmConsoleUrl(region, `fleet-manager/managed-nodes/${encodeURIComponent(instanceId)}/general`),
  };
}

/**
 * The node's patches. A `/patch` route under the node page is documented nowhere and used by no
 * public code found: the link opens the node page (route above) and the label says to open its
 * Patches tab (SSM user guide, Fleet Manager: a managed node's Patches tab, filterable by State).
 */
export function nodePatchesLink(region: string, instanceId: string): ConsoleLink {
  return {
    label: 'Fleet Manager: node page, Patches tab (filter by State)',
    url: ssmConsoleUrl(region, `fleet-manager/managed-nodes/${encodeURIComponent(instanceId)}/general`),
  };
}

/**
 * `run-command/<commandId>` (a command's page, as public remediation tooling links it) and
 * `run-command/complete-commands` (the Command history tab; public runbooks link it, as they link
 * its sibling `run-command/executing-commands`).
 */
export function runCommandHistoryLink(region: string, commandId?: string): ConsoleLink {
  return commandId
    ? { label: `Run Command: command ${commandId}`, url: ssmConsoleUrl(region, `run-command/${encodeURIComponent(commandId)}`) }
    : { label: 'Run Command: command history', url: ssmConsoleUrl(region, 'run-command/complete-commands') };
}

/**
 * `state-manager/<associationId>/executionhistory` (no hyphen): the association's Execution history
 * tab as public Terraform outputs link it; `.../description` (the association's Description tab)
 * is the other route public scripts use. `execution-history` appears nowhere.
 */
export function associationHistoryLink(region: string, associationId: string): ConsoleLink {
  return {
    label: `State Manager: association ${associationId} execution history`,
    url: ssmConsoleUrl(region, `state-manager/${encodeURIComponent(associationId)}/executionhistory`),
  };
}

/** `compliance`: linked by the SSM user guide itself (Quick Setup and Patch Manager pages: "see the Systems Manager Compliance page"). */
export function complianceLink(region: string): ConsoleLink {
  return { label: 'Compliance dashboard', url: ssmConsoleUrl(region, 'compliance') };
}
