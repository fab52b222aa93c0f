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

/** The run's output folder on the node; without a known command ID, the folder of all runs (newest last). */
export function commandOutputPath(platform: Platform, instanceId: string, commandId?: string): string {
  const path =
    platform === 'Windows'
      ? `%PROGRAMDATA%\\Amazon\\SSM\\InstanceData\\${instanceId}\\document\\orchestration\\${commandId ?? ''}`
      : `/var/lib/amazon/ssm/${instanceId}/document/orchestration/${commandId ?? ''}`;
  return commandId ? path : `${path} (newest run)`;
}

export interface PackageManager {
  /** `apt`, `dnf/yum`, `zypper`, or all three when the distribution is unknown. */
  name: string;
  /** Where it logs what it installed. */
  log: string;
  /** The command that puts back an older version of the given packages. */
  downgrade(packages: readonly string[]): string;
}

/**
 * The package manager of a Linux node from its PlatformName (DescribeInstanceInformation, e.g.
 * "Ubuntu", "Amazon Linux", "Red Hat Enterprise Linux", "SLES"), so next steps name the right log.
 */
export function packageManagerOf(platformName: string | undefined): PackageManager {
  const name = platformName?.toLowerCase() ?? '';
  const list = (packages: readonly string[], fallback: string) => (packages.length > 0 ? packages.join(' ') : fallback);
  if (/ubuntu|debian/.test(name)) {
    return { name: 'apt', log: '/var/log/apt/history.log and /var/log/apt/term.log', downgrade: (p) => `apt-get install ${list(p, '<package>')}=<version>` };
  }
  if (/suse|sles/.test(name)) {
    return { name: 'zypper', log: '/var/log/zypp/history and /var/log/zypper.log', downgrade: (p) => `zypper install --oldpackage ${list(p, '<package>-<version>')}` };
  }
  if (/amazon linux|red hat|rhel|centos|oracle|rocky|alma|fedora/.test(name)) {
    return { name: 'dnf/yum', log: '/var/log/dnf.log (/var/log/yum.log on yum releases)', downgrade: (p) => `dnf downgrade ${list(p, '<package>')}` };
  }
  return {
    name: 'yum/dnf/apt/zypper',
    log: '/var/log/dnf.log, /var/log/yum.log, /var/log/apt/history.log or /var/log/zypp/history',
    downgrade: (p) => `dnf downgrade ${list(p, '<package>')} (apt-get install <package>=<version>, zypper install --oldpackage)`,
  };
}

export function patchLogHint(platform: Platform, instanceId: string, commandId?: string, platformName?: string): string {
  return platform === 'Windows'
    ? 'Read the patch operation log in %PROGRAMDATA%\\Amazon\\PatchBaselineOperations (Install-PatchBaselineOperation-<date>) and the Windows Update log (Get-WindowsUpdateLog)'
    : `Read the patch run output in ${commandOutputPath(platform, instanceId, commandId)} and the ${packageManagerOf(platformName).name} log ${packageManagerOf(platformName).log}`;
}

export function repositoryHint(platform: Platform, platformName?: string): string {
  return platform === 'Windows'
    ? 'Check the node reaches Windows Update or its WSUS server (Patch Manager does not ship patches)'
    : `Check the node reaches its ${packageManagerOf(platformName).name} repositories (mirrors, proxy, NAT): Patch Manager does not ship patches`;
}

/** Package names of patch list entries (Linux KBId is the package name, e.g. `openssl-libs.x86_64`). */
export function rejectedPackages(patches: ReadonlyArray<{ KBId?: string; Title?: string }>): string[] {
  return [...new Set(patches.map((patch) => patch.KBId ?? patch.Title).filter((name): name is string => !!name))].slice(0, 5);
}

/** `wusa /uninstall /kb:<n>` per rejected KB (Windows KBId is `KB5031356`). */
export function uninstallKbCommands(patches: ReadonlyArray<{ KBId?: string }>): string {
  const kbs = [...new Set(patches.map((patch) => patch.KBId?.replace(/^KB/i, '')).filter((kb): kb is string => !!kb))].slice(0, 5);
  return kbs.length > 0 ? kbs.map((kb) => `wusa /uninstall /kb:${kb}`).join('; ') : 'wusa /uninstall /kb:<number>';
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
