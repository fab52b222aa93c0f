/**
 * Read-only probes behind `npm run doctor` (usecases/doctor.ts): each reads one set of facts for a
 * check in domain/doctor/checks.ts. Never writes. Any error becomes the check's evidence.
 */
import { CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetResourcesCommand, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { DescribeInstanceInformationCommand, DescribeInstancePatchStatesCommand, GetCalendarStateCommand, ListAssociationsCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { NodeFacts, Probed, TrailFacts } from '../domain/doctor/checks';
import type { AutopilotSettings } from '../domain/settings';
import type { NodeStateReader } from '../ports/reading';
import { listHybridTags } from './ssm/instance-info';
import { partitionOf } from './ssm/node-tags';
import { chunks } from './ssm/sdk-shapes';

export interface DoctorClients {
  ssm: SSMClient;
  cloudTrail: Pick<CloudTrailClient, 'send'>;
  events: Pick<EventBridgeClient, 'send'>;
  iam: Pick<IAMClient, 'send'>;
  logs: Pick<CloudWatchLogsClient, 'send'>;
  tagging: Pick<ResourceGroupsTaggingAPIClient, 'send'>;
}

export async function probe<T>(read: () => Promise<T>): Promise<Probed<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** Trails covering the region, with logging status and whether management writes are selected. */
export async function readTrails(client: Pick<CloudTrailClient, 'send'>): Promise<TrailFacts[]> {
  const { trailList = [] } = await client.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
  const trails: TrailFacts[] = [];
  for (const trail of trailList) {
    const name = trail.TrailARN ?? trail.Name ?? '';
    const [status, selectors] = await Promise.all([
      client.send(new GetTrailStatusCommand({ Name: name })),
      client.send(new GetEventSelectorsCommand({ TrailName: name })),
    ]);
    const basic = (selectors.EventSelectors ?? []).some((selector) => selector.IncludeManagementEvents !== false && (selector.ReadWriteType ?? 'All') !== 'ReadOnly');
    // Advanced selectors (CloudTrail user guide, "Logging management events"): eventCategory = Management, not restricted to readOnly = true.
    const advanced = (selectors.AdvancedEventSelectors ?? []).some((selector) => {
      const fields = selector.FieldSelectors ?? [];
      const management = fields.some((field) => field.Field === 'eventCategory' && (field.Equals ?? []).includes('Management'));
      const readOnly = fields.some((field) => field.Field === 'readOnly' && (field.Equals ?? []).includes('true'));
      return management && !readOnly;
    });
    trails.push({
      name: trail.Name ?? name,
      ...(trail.HomeRegion ? { homeRegion: trail.HomeRegion } : {}),
      multiRegion: trail.IsMultiRegionTrail === true,
      logging: status.IsLogging === true,
      managementWrites: basic || advanced,
    });
  }
  return trails;
}

/** What the stack's rules match (lib/constructs/event-intake.ts, lib/autopilot-stack.ts). */
export const EXPECTED_RULES = [
  'AWS API Call via CloudTrail (PutInventory / PutComplianceItems)',
  'Configuration Compliance State Change',
  'EC2 Command Invocation Status-change Notification',
  'sweep schedule',
] as const;

export async function readRules(client: Pick<EventBridgeClient, 'send'>, stackName: string): Promise<{ expected: string[]; found: string[] }> {
  const found = new Set<string>();
  let nextToken: string | undefined;
  do {
    // CDK names rules `<stack name>-<construct id>...` when the rule has no explicit name.
    const page = await client.send(new ListRulesCommand({ EventBusName: 'default', NamePrefix: stackName, NextToken: nextToken }));
    for (const rule of page.Rules ?? []) {
      if (rule.ScheduleExpression) found.add('sweep schedule');
      const pattern = rule.EventPattern ?? '';
      if (pattern.includes('AWS API Call via CloudTrail')) found.add(EXPECTED_RULES[0]);
      if (pattern.includes('Configuration Compliance State Change')) found.add(EXPECTED_RULES[1]);
      if (pattern.includes('EC2 Command Invocation Status-change Notification')) found.add(EXPECTED_RULES[2]);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return { expected: [...EXPECTED_RULES], found: [...found] };
}

export async function readNodes(client: SSMClient): Promise<NodeFacts[]> {
  const nodes: NodeFacts[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new DescribeInstanceInformationCommand({ MaxResults: 50, NextToken: nextToken }));
    for (const info of page.InstanceInformationList ?? []) {
      if (!info.InstanceId) continue;
      nodes.push({
        instanceId: info.InstanceId,
        ...(info.PingStatus ? { pingStatus: info.PingStatus } : {}),
        ...(info.AgentVersion ? { agentVersion: info.AgentVersion } : {}),
        ...(info.IsLatestVersion !== undefined ? { isLatestVersion: info.IsLatestVersion } : {}),
        ...(info.IamRole ? { iamRole: info.IamRole } : {}),
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  const byId = new Map(nodes.map((node) => [node.instanceId, node]));
  for (const group of chunks(nodes.map((node) => node.instanceId), 50)) {
    const page = await client.send(new DescribeInstancePatchStatesCommand({ InstanceIds: group, MaxResults: 50 }));
    for (const state of page.InstancePatchStates ?? []) {
      const node = state.InstanceId ? byId.get(state.InstanceId) : undefined;
      if (node && state.OperationEndTime) node.lastPatchOperationEnd = state.OperationEndTime.toISOString();
    }
  }
  return nodes;
}

/** Documents patch associations run: AWS-RunPatchBaseline, and AWS-RunPatchBaselineAssociation (Quick Setup patch policies). */
export async function readPatchAssociations(client: SSMClient): Promise<string[]> {
  const names: string[] = [];
  for (const document of ['AWS-RunPatchBaseline', 'AWS-RunPatchBaselineAssociation']) {
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListAssociationsCommand({ AssociationFilterList: [{ key: 'Name', value: document }], MaxResults: 50, NextToken: nextToken }));
      for (const association of page.Associations ?? []) names.push(`${association.AssociationName ?? association.AssociationId ?? '?'} (${document})`);
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return names;
}

/** Raw scope-tag values: EC2 instances through GetResources (tag key filter), hybrid nodes through SSM. */
export async function readScopeTags(clients: Pick<DoctorClients, 'tagging' | 'ssm'>, tagKey: string, hybridIds: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const add = (value: string | undefined) => {
    if (value !== undefined) counts[value] = (counts[value] ?? 0) + 1;
  };
  let token: string | undefined;
  do {
    const page = await clients.tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: tagKey }], ResourceTypeFilters: ['ec2:instance'], ...(token ? { PaginationToken: token } : {}) }));
    for (const mapping of page.ResourceTagMappingList ?? []) add(mapping.Tags?.find((tag) => tag.Key === tagKey)?.Value);
    token = page.PaginationToken || undefined;
  } while (token);
  for (const id of hybridIds.slice(0, 200)) add((await listHybridTags(clients.ssm, id))[tagKey]);
  return counts;
}

/** Reads a sample of nodes (the non-compliant ones first) through the real reader; returns what it had to degrade. */
export async function readFallbackSample(reader: NodeStateReader & { fallbacks: { list(): Array<{ id: string; form: string; evidence: string }> } }, nodes: readonly NodeFacts[], sample = 10): Promise<{ sampled: number; fallbacks: Array<{ id: string; form: string; evidence: string }> }> {
  const ids = nodes.filter((node) => node.pingStatus === 'Online').map((node) => node.instanceId).slice(0, sample);
  const result = await reader.readSnapshots(ids);
  const failed = result.failed.find((failure) => !failure.retryable);
  if (failed && result.snapshots.length === 0) throw new Error(failed.error);
  return { sampled: result.snapshots.length, fallbacks: reader.fallbacks.list() };
}

export async function readCommandLogGroup(
  clients: Pick<DoctorClients, 'logs' | 'iam'>,
  target: { name: string; region: string; account: string | undefined; roles: readonly string[] },
): Promise<{ name: string; exists: boolean; writers: Array<{ role: string; allowed: boolean | null; detail: string }> }> {
  const page = await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: target.name }));
  const exists = (page.logGroups ?? []).some((group) => group.logGroupName === target.name);
  const writers: Array<{ role: string; allowed: boolean | null; detail: string }> = [];
  for (const role of target.roles) {
    if (!target.account) {
      writers.push({ role, allowed: null, detail: 'account unknown (STS unavailable)' });
      continue;
    }
    const partition = partitionOf(target.region);
    const roleArn = role.startsWith('arn:') ? role : `arn:${partition}:iam::${target.account}:role/${role}`;
    try {
      const simulation = await clients.iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: roleArn,
          ActionNames: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          ResourceArns: [`arn:${partition}:logs:${target.region}:${target.account}:log-group:${target.name}:*`],
        }),
      );
      const decisions = (simulation.EvaluationResults ?? []).map((entry) => `${entry.EvalActionName ?? '?'}=${entry.EvalDecision ?? '?'}`);
      const allowed = (simulation.EvaluationResults ?? []).length > 0 && (simulation.EvaluationResults ?? []).every((entry) => entry.EvalDecision === 'allowed');
      writers.push({ role, allowed, detail: decisions.join(', ') });
    } catch (error) {
      // iam:SimulatePrincipalPolicy is often not granted to operators: say so instead of failing.
      writers.push({ role, allowed: null, detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
  return { name: target.name, exists, writers };
}

export async function readCalendars(client: SSMClient, names: readonly string[]): Promise<Array<{ name: string; exists: boolean; state?: string; error?: string }>> {
  const calendars: Array<{ name: string; exists: boolean; state?: string; error?: string }> = [];
  for (const name of names) {
    try {
      const state = await client.send(new GetCalendarStateCommand({ CalendarNames: [name] }));
      calendars.push({ name, exists: true, ...(state.State ? { state: state.State } : {}) });
    } catch (error) {
      const errorName = error instanceof Error ? error.name : '';
      // GetCalendarState answers InvalidDocument for a calendar that does not exist (service model).
      if (errorName === 'InvalidDocument' || errorName === 'InvalidDocumentType' || errorName === 'UnsupportedCalendarException') {
        calendars.push({ name, exists: false, error: `${errorName}: ${error instanceof Error ? error.message : ''}` });
      } else throw error;
    }
  }
  return calendars;
}

export type DoctorSettings = Pick<AutopilotSettings, 'tagKey' | 'staleScanHours' | 'changeCalendarNames'>;
