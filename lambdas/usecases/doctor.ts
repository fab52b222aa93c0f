/**
 * The readiness check: reads the facts through the probes (adapters/doctor-probes.ts), read-only,
 * and turns them into checks (domain/doctor/checks.ts). The report's verdict: `fail` when any check
 * fails, else `warn` when any warns, else `ok`.
 */
import {
  probe,
  readCalendars,
  readCommandLogGroup,
  readFallbackSample,
  readNodes,
  readPatchAssociations,
  readRules,
  readScopeTags,
  readTrails,
  type DoctorClients,
  type DoctorSettings,
} from '../adapters/doctor-probes';
import { commandLogGroupFor } from '../adapters/ssm-remediator';
import { SsmStateReader } from '../adapters/ssm/reader';
import { runChecks, type DoctorCheck, type DoctorFacts, type Verdict } from '../domain/doctor/checks';
import type { Clock } from '../ports/runtime';

export interface DoctorRun {
  clients: DoctorClients;
  region: string;
  /** The account (node ARNs for the IAM simulation); undefined when STS could not say. */
  account: string | undefined;
  stackName: string;
  settings: DoctorSettings;
  /** Roles of EC2 nodes' instance profiles to check against the log group (SSM names hybrid nodes' roles itself). */
  nodeRoles: readonly string[];
  clock: Clock;
}

export interface DoctorReport {
  region: string;
  account: string | null;
  stackName: string;
  verdict: Verdict;
  checks: DoctorCheck[];
}

export async function runDoctor(run: DoctorRun): Promise<DoctorReport> {
  const { clients, region, settings } = run;
  const nodes = await probe(() => readNodes(clients.ssm));
  const nodeList = nodes.ok ? nodes.value : [];
  const reader = new SsmStateReader({
    client: clients.ssm,
    settings,
    clock: run.clock,
    detail: 'always',
    region,
    // Tags do not matter to the filter probe: every filtered SSM call runs without them.
    tags: { tagsOf: async (ids) => new Map(ids.map((id) => [id, {}])) },
  });
  const hybridRoles = [...new Set(nodeList.flatMap((node) => (node.iamRole ? [node.iamRole] : [])))];
  const [trails, rules, patchAssociations, scopeTags, readFallbacks, commandLogGroup, calendars] = await Promise.all([
    probe(() => readTrails(clients.cloudTrail)),
    probe(() => readRules(clients.events, run.stackName)),
    probe(() => readPatchAssociations(clients.ssm)),
    probe(() => readScopeTags(clients, settings.tagKey, nodeList.filter((node) => node.instanceId.startsWith('mi-')).map((node) => node.instanceId))),
    nodes.ok ? probe(() => readFallbackSample(reader, nodeList)) : Promise.resolve(nodes),
    probe(() => readCommandLogGroup(clients, { name: commandLogGroupFor(run.stackName), region, account: run.account, roles: [...new Set([...hybridRoles, ...run.nodeRoles])] })),
    probe(() => readCalendars(clients.ssm, settings.changeCalendarNames)),
  ]);
  const facts: DoctorFacts = { region, now: run.clock.now(), settings, trails, rules, nodes, patchAssociations, scopeTags, readFallbacks, commandLogGroup, calendars };
  const checks = runChecks(facts);
  const verdict: Verdict = checks.some((check) => check.verdict === 'fail') ? 'fail' : checks.some((check) => check.verdict === 'warn') ? 'warn' : 'ok';
  return { region, account: run.account ?? null, stackName: run.stackName, verdict, checks };
}
