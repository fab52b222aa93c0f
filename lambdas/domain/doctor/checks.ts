/**
 * The readiness check (`npm run doctor`), as data: each check is a pure function from facts the
 * probes read (adapters/doctor-probes.ts) to an id, a verdict, the evidence and the fix. A probe that
 * could not read its facts (access denied, service not enabled) gives a `warn` naming the error:
 * the check is unknown, not failed.
 */
import type { AutopilotSettings } from '../settings';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  id: string;
  title: string;
  verdict: Verdict;
  evidence: string[];
  /** What to do about it (absent when ok). */
  fix?: string;
}

/** A probe's answer: the facts, or why they could not be read. */
export type Probed<T> = { ok: true; value: T } | { ok: false; error: string };

export interface TrailFacts {
  name: string;
  homeRegion?: string;
  multiRegion: boolean;
  logging: boolean;
  /** Event selectors (basic or advanced) include management events that are writes. */
  managementWrites: boolean;
}

export interface NodeFacts {
  instanceId: string;
  pingStatus?: string;
  agentVersion?: string;
  isLatestVersion?: boolean;
  /** Hybrid nodes: the IAM role SSM knows them by. */
  iamRole?: string;
  /** OperationEndTime of the last patch operation (ISO), absent when the node never reported one. */
  lastPatchOperationEnd?: string;
}

export interface DoctorFacts {
  region: string;
  now: Date;
  settings: Pick<AutopilotSettings, 'tagKey' | 'staleScanHours' | 'changeCalendarNames'>;
  trails: Probed<TrailFacts[]>;
  /** Rules of the stack found on the default bus, by what they match. */
  rules: Probed<{ expected: string[]; found: string[] }>;
  nodes: Probed<NodeFacts[]>;
  /** Names of the State Manager associations running AWS-RunPatchBaseline (or a patch policy's document). */
  patchAssociations: Probed<string[]>;
  /** Raw scope-tag values and how many nodes carry each (untagged nodes not counted). */
  scopeTags: Probed<Record<string, number>>;
  /** Read fallbacks this account needed when a sample of nodes was read through the real reader. */
  readFallbacks: Probed<{ sampled: number; fallbacks: Array<{ id: string; form: string; evidence: string }> }>;
  commandLogGroup: Probed<{ name: string; exists: boolean; writers: Array<{ role: string; allowed: boolean | null; detail: string }> }>;
  calendars: Probed<Array<{ name: string; exists: boolean; state?: string; error?: string }>>;
}

const unknown = (id: string, title: string, error: string, fix: string): DoctorCheck => ({
  id,
  title,
  verdict: 'warn',
  evidence: [`could not check: ${error}`],
  fix,
});

export function trailCheck(facts: DoctorFacts): DoctorCheck {
  const title = 'CloudTrail logs management write events in this region';
  if (!facts.trails.ok) return unknown('trail', title, facts.trails.error, 'Allow cloudtrail:DescribeTrails, GetTrailStatus and GetEventSelectors, then run again.');
  const applies = facts.trails.value.filter((trail) => trail.multiRegion || trail.homeRegion === facts.region);
  const good = applies.filter((trail) => trail.logging && trail.managementWrites);
  const evidence = applies.length === 0
    ? [`no trail covers ${facts.region}`]
    : applies.map((trail) => `${trail.name}: ${trail.logging ? 'logging' : 'NOT logging'}, management writes ${trail.managementWrites ? 'included' : 'NOT included'}${trail.multiRegion ? ', multi-region' : ''}`);
  if (good.length > 0) return { id: 'trail', title, verdict: 'ok', evidence };
  return {
    id: 'trail',
    title,
    verdict: 'fail',
    evidence,
    fix: 'Without it only the native compliance-change events arrive (PutInventory / PutComplianceItems never reach EventBridge). Start logging on a trail with management write events, or deploy with createTrail: true.',
  };
}

export function rulesCheck(facts: DoctorFacts): DoctorCheck {
  const title = "The stack's EventBridge rules exist on the default bus";
  if (!facts.rules.ok) return unknown('rules', title, facts.rules.error, 'Allow events:ListRules, then run again.');
  const { expected, found } = facts.rules.value;
  const missing = expected.filter((rule) => !found.includes(rule));
  const evidence = expected.map((rule) => `${rule}: ${missing.includes(rule) ? 'missing' : 'present'}`);
  if (missing.length === 0) return { id: 'rules', title, verdict: 'ok', evidence };
  return { id: 'rules', title, verdict: 'warn', evidence, fix: 'Before `cdk deploy` this is expected; after it, check the stack name (--stack-name) and redeploy.' };
}

export function nodesOnlineCheck(facts: DoctorFacts): DoctorCheck {
  const title = 'Managed nodes are Online';
  if (!facts.nodes.ok) return unknown('nodes-online', title, facts.nodes.error, 'Allow ssm:DescribeInstanceInformation, then run again.');
  const nodes = facts.nodes.value;
  if (nodes.length === 0) {
    return { id: 'nodes-online', title, verdict: 'fail', evidence: [`no managed node in ${facts.region}`], fix: 'Install and register the SSM agent (instance profile with AmazonSSMManagedInstanceCore, or Default Host Management Configuration).' };
  }
  const byStatus = countBy(nodes.map((node) => node.pingStatus ?? 'unknown'));
  const offline = nodes.filter((node) => node.pingStatus !== 'Online');
  const evidence = [Object.entries(byStatus).map(([status, count]) => `${status}: ${count}`).join(', '), ...offline.slice(0, 10).map((node) => `${node.instanceId} ${node.pingStatus ?? 'unknown'}`)];
  if (offline.length === 0) return { id: 'nodes-online', title, verdict: 'ok', evidence };
  return { id: 'nodes-online', title, verdict: 'warn', evidence, fix: 'Nodes not Online cannot be patched: check the agent, network route to SSM endpoints and the instance profile (AWS-FACTS.md, troubleshooting pointers).' };
}

export function agentVersionsCheck(facts: DoctorFacts): DoctorCheck {
  const title = 'SSM agent versions';
  if (!facts.nodes.ok) return unknown('agent-versions', title, facts.nodes.error, 'Allow ssm:DescribeInstanceInformation, then run again.');
  const versions = countBy(facts.nodes.value.map((node) => node.agentVersion ?? 'unknown'));
  const outdated = facts.nodes.value.filter((node) => node.isLatestVersion === false);
  const evidence = [
    Object.entries(versions).sort(([, a], [, b]) => b - a).slice(0, 8).map(([version, count]) => `${version}: ${count}`).join(', ') || 'no nodes',
    `${outdated.length} node(s) not on the latest agent`,
  ];
  if (outdated.length === 0) return { id: 'agent-versions', title, verdict: 'ok', evidence };
  return { id: 'agent-versions', title, verdict: 'warn', evidence, fix: 'Update the agent (AWS-UpdateSSMAgent, e.g. as a State Manager association).' };
}

export function patchScanAgeCheck(facts: DoctorFacts): DoctorCheck {
  const title = `Last patch scan younger than staleScanHours (${facts.settings.staleScanHours} h)`;
  if (!facts.nodes.ok) return unknown('patch-scan-age', title, facts.nodes.error, 'Allow ssm:DescribeInstancePatchStates, then run again.');
  const limit = facts.settings.staleScanHours * 3_600_000;
  const never = facts.nodes.value.filter((node) => !node.lastPatchOperationEnd);
  const stale = facts.nodes.value.filter((node) => node.lastPatchOperationEnd && facts.now.getTime() - Date.parse(node.lastPatchOperationEnd) > limit);
  const evidence = [`${never.length} node(s) never reported a patch operation`, `${stale.length} node(s) with a scan older than ${facts.settings.staleScanHours} h`, ...[...never, ...stale].slice(0, 10).map((node) => `${node.instanceId} ${node.lastPatchOperationEnd ?? 'no patch state'}`)];
  if (never.length + stale.length === 0) return { id: 'patch-scan-age', title, verdict: 'ok', evidence };
  return { id: 'patch-scan-age', title, verdict: 'warn', evidence, fix: 'Schedule AWS-RunPatchBaseline Scan (a patch policy or an association) on every node.' };
}

export function patchAssociationCheck(facts: DoctorFacts): DoctorCheck {
  const title = 'A patch policy or AWS-RunPatchBaseline association exists';
  if (!facts.patchAssociations.ok) return unknown('patch-association', title, facts.patchAssociations.error, 'Allow ssm:ListAssociations, then run again.');
  const names = facts.patchAssociations.value;
  if (names.length > 0) return { id: 'patch-association', title, verdict: 'ok', evidence: names.slice(0, 10) };
  return { id: 'patch-association', title, verdict: 'warn', evidence: ['none found'], fix: 'Without scheduled scans, compliance data goes stale: create a Quick Setup patch policy or an AWS-RunPatchBaseline Scan association.' };
}

const SCOPE_VALUES = ['auto', 'notify', 'off'];

export function scopeTagsCheck(facts: DoctorFacts): DoctorCheck {
  const title = `Scope tag ${facts.settings.tagKey}: counts by value`;
  if (!facts.scopeTags.ok) return unknown('scope-tags', title, facts.scopeTags.error, 'Allow tag:GetResources (and ssm:ListTagsForResource for hybrid nodes), then run again.');
  const counts = facts.scopeTags.value;
  const normalised: Record<string, number> = {};
  const unexpected: string[] = [];
  for (const [value, count] of Object.entries(counts)) {
    const key = value.trim().toLowerCase();
    normalised[key] = (normalised[key] ?? 0) + count;
    if (!SCOPE_VALUES.includes(key)) unexpected.push(`"${value}" (${count})`);
  }
  const evidence = [
    SCOPE_VALUES.map((value) => `${value}: ${normalised[value] ?? 0}`).join(', '),
    ...Object.entries(counts).filter(([value]) => value !== value.trim().toLowerCase() && SCOPE_VALUES.includes(value.trim().toLowerCase())).map(([value, count]) => `"${value}" (${count}) read as ${value.trim().toLowerCase()}`),
    ...(unexpected.length > 0 ? [`values that are not auto | notify | off (treated as untagged): ${unexpected.join(', ')}`] : []),
  ];
  if (unexpected.length === 0) return { id: 'scope-tags', title, verdict: 'ok', evidence };
  return { id: 'scope-tags', title, verdict: 'warn', evidence, fix: `Fix the typos: such nodes follow defaultNodeMode instead of what their owner meant.` };
}

export function readFallbacksCheck(facts: DoctorFacts): DoctorCheck {
  const title = 'SSM read filters behave as documented (or which fallbacks this account needs)';
  if (!facts.readFallbacks.ok) return unknown('ssm-read-fallbacks', title, facts.readFallbacks.error, 'Allow the node-state reads (README, IAM), then run again.');
  const { sampled, fallbacks } = facts.readFallbacks.value;
  if (fallbacks.length === 0) return { id: 'ssm-read-fallbacks', title, verdict: 'ok', evidence: [`${sampled} node(s) read through every filtered call: no fallback needed`] };
  return {
    id: 'ssm-read-fallbacks',
    title,
    verdict: 'warn',
    evidence: [`${sampled} node(s) read`, ...fallbacks.map((fallback) => `${fallback.id}: ${fallback.form} (${fallback.evidence})`)],
    fix: 'Nothing to do: the pipeline degrades to these documented forms by itself (metric SsmReadFallbacks). They cost more reads; see docs/PERFORMANCE.md.',
  };
}

export function commandLogGroupCheck(facts: DoctorFacts): DoctorCheck {
  const title = 'Command log group exists and node roles can write to it';
  if (!facts.commandLogGroup.ok) return unknown('command-log-group', title, facts.commandLogGroup.error, 'Allow logs:DescribeLogGroups (and iam:SimulatePrincipalPolicy), then run again.');
  const { name, exists, writers } = facts.commandLogGroup.value;
  const evidence = [`${name}: ${exists ? 'exists' : 'missing'}`, ...writers.map((writer) => `${writer.role}: ${writer.allowed === null ? 'not checked' : writer.allowed ? 'may write' : 'may NOT write'} (${writer.detail})`)];
  if (!exists) return { id: 'command-log-group', title, verdict: 'warn', evidence, fix: 'The stack creates it: expected before `cdk deploy`; after it, check --stack-name.' };
  if (writers.some((writer) => writer.allowed === false)) {
    return { id: 'command-log-group', title, verdict: 'fail', evidence, fix: 'Give the node roles logs:CreateLogStream and logs:PutLogEvents on the group (CloudWatchAgentServerPolicy covers it), or command output cannot be read for alerts.' };
  }
  if (writers.length === 0 || writers.some((writer) => writer.allowed === null)) {
    return { id: 'command-log-group', title, verdict: 'warn', evidence: writers.length === 0 ? [...evidence, 'no node role known (EC2 instance profiles: pass --node-role <name>)'] : evidence, fix: 'Check the node roles with --node-role, with iam:SimulatePrincipalPolicy allowed.' };
  }
  return { id: 'command-log-group', title, verdict: 'ok', evidence };
}

export function calendarsCheck(facts: DoctorFacts): DoctorCheck {
  const title = 'Change calendars named in the settings exist';
  if (facts.settings.changeCalendarNames.length === 0) return { id: 'change-calendars', title, verdict: 'ok', evidence: ['none configured'] };
  if (!facts.calendars.ok) return unknown('change-calendars', title, facts.calendars.error, 'Allow ssm:GetCalendarState, then run again.');
  const missing = facts.calendars.value.filter((calendar) => !calendar.exists);
  const evidence = facts.calendars.value.map((calendar) => `${calendar.name}: ${calendar.exists ? calendar.state ?? 'exists' : `missing (${calendar.error ?? 'not found'})`}`);
  if (missing.length === 0) return { id: 'change-calendars', title, verdict: 'ok', evidence };
  return { id: 'change-calendars', title, verdict: 'fail', evidence, fix: 'Create the calendar (Change Calendar) or fix changeCalendarNames: the triage cannot read a missing calendar.' };
}

/** Every check, in the order the report shows them. */
export const CHECKS = [trailCheck, rulesCheck, nodesOnlineCheck, agentVersionsCheck, patchScanAgeCheck, patchAssociationCheck, scopeTagsCheck, readFallbacksCheck, commandLogGroupCheck, calendarsCheck] as const;

export function runChecks(facts: DoctorFacts): DoctorCheck[] {
  return CHECKS.map((check) => check(facts));
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
