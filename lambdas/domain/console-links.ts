/**
 * AWS console deep links for a node, in the node's region. Pure string building.
 * Paths follow the Systems Manager console's own URLs (Fleet Manager, Run Command, State Manager,
 * Compliance); China and GovCloud partitions have their own console hosts.
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

export function nodeLink(region: string, instanceId: string): ConsoleLink {
  return {
    label: 'Fleet Manager: node overview',
    url: ssmConsoleUrl(region, `fleet-manager/managed-nodes/${encodeURIComponent(instanceId)}/general`),
  };
}

export function nodePatchesLink(region: string, instanceId: string): ConsoleLink {
  return {
    label: 'Fleet Manager: node patches (filter by State)',
    url: ssmConsoleUrl(region, `fleet-manager/managed-nodes/${encodeURIComponent(instanceId)}/patch`),
  };
}

export function runCommandHistoryLink(region: string, commandId?: string): ConsoleLink {
  return commandId
    ? { label: `Run Command: command ${commandId}`, url: ssmConsoleUrl(region, `run-command/${encodeURIComponent(commandId)}`) }
    : { label: 'Run Command: command history', url: ssmConsoleUrl(region, 'run-command/complete-commands') };
}

export function associationHistoryLink(region: string, associationId: string): ConsoleLink {
  return {
    label: `State Manager: association ${associationId} execution history`,
    url: ssmConsoleUrl(region, `state-manager/${encodeURIComponent(associationId)}/execution-history`),
  };
}

export function complianceLink(region: string): ConsoleLink {
  return { label: 'Compliance dashboard', url: ssmConsoleUrl(region, 'compliance') };
}
