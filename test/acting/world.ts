/**
 * A small account for the acting-path fault tests (issue 14): the fake SSM of the simulator over a
 * real HTTP endpoint (JSON 1.1, the real SDK clients), the ledger on dynalite proxied behind the same
 * endpoint, and the pipeline built by the project's own wiring (`buildDependencies`, as each handler
 * module does: the one-attempt acting client included). Each `container()` is a fresh Lambda
 * environment. Assertions read what the fake SSM ACCEPTED (`fake.commands`), never the code's own view.
 */
import { DynamoRemediationLedger } from '../../lambdas/adapters/dynamo-ledger';
import { DynamoFailureNotes } from '../../lambdas/adapters/ledger/failure-notes';
import { DEFAULT_SETTINGS, type AutopilotSettings } from '../../lambdas/domain/settings';
import type { CauseCode } from '../../lambdas/domain/types';
import { buildDependencies, type Dependencies } from '../../lambdas/wiring';
import { startFakeAws, type FakeAwsServer, type FaultPlan, type SsmFault } from '../../sim/aws-fake/server';
import { FakeAws, type SimCommand } from '../../sim/aws-fake/state';
import { EventFactory } from '../../sim/events';
import { buildFleet, seededRandom, type SimNode } from '../../sim/fleet';
import { startLedgerTable, type LocalTable } from '../ledger/dynalite';
import { RecordingSink } from '../triage/recording-sink';

export const START = Date.parse('2026-11-21T06:00:00Z');
const REGION = 'eu-west-1';
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

export interface World {
  fake: FakeAws;
  settings: AutopilotSettings;
  sink: RecordingSink;
  ledger: DynamoRemediationLedger;
  /** The account-wide "failed patch ends noted since" record, as the sweep writes it. */
  failureNotes: DynamoFailureNotes;
  clock: { now: () => Date; advanceMinutes(minutes: number): void };
  /** Faults to apply to the next matching SSM requests (first match wins, each used once). */
  inject(operation: string, fault: SsmFault, times?: number): void;
  /** Resolves once `count` injected faults have fired (the request reached SSM). */
  faultsFired(count: number): Promise<void>;
  container(): Dependencies;
  /** Auto-scope nodes with this seeded cause. */
  nodes(cause: CauseCode, count: number): SimNode[];
  /** An SQS record of a compliance-change event naming the node. */
  record(node: SimNode, messageId: string): { messageId: string; body: string };
  /** The status-change event SSM would emit for this command now. */
  statusEvent(command: SimCommand, status: string): Record<string, unknown>;
  /** Commands SSM accepted for the node. */
  accepted(node: SimNode): SimCommand[];
  close(): Promise<void>;
}

let table: LocalTable | undefined;
let tables = 0;

export async function startWorld(overrides: Partial<AutopilotSettings> = {}, fakeOptions: { iamScopeCondition?: boolean; beforeSendCommand?: (ids: readonly string[]) => void } = {}): Promise<World> {
  table ??= await startLedgerTable('acting-0');
  tables += 1;
  const tableName = `acting-${tables}`;
  await table.createTable(tableName);
  const settings: AutopilotSettings = { ...DEFAULT_SETTINGS, minNodeAgeMinutes: 0, ...overrides };
  let nowMs = START;
  const fleet = buildFleet({ nodes: 500, seed: 14, startMs: START - 24 * 3_600_000, tagKey: settings.tagKey });
  const fake = new FakeAws({
    nodes: fleet,
    now: () => nowMs,
    tagKey: settings.tagKey,
    defaultNodeMode: settings.defaultNodeMode,
    random: seededRandom(5),
    snsFailureRate: 0,
    alertRepeatHours: settings.alertRepeatHours,
    installMinutes: () => 10,
    guardLimits: settings,
    ...fakeOptions,
  });
  const pending: Array<{ operation: string; fault: SsmFault; left: number }> = [];
  let fired = 0;
  const faults: FaultPlan = {
    decide: (operation) => {
      const entry = pending.find((candidate) => candidate.operation === operation && candidate.left > 0);
      if (!entry) return undefined;
      entry.left -= 1;
      fired += 1;
      return entry.fault;
    },
  };
  const faultsFired = async (count: number) => {
    for (let waited = 0; fired < count; waited += 10) {
      if (waited > 20_000) throw new Error(`only ${fired} of ${count} faults fired`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const server: FakeAwsServer = await startFakeAws(fake, { rateLimit: { ratePerSecond: 100_000, burst: 100_000 }, dynamoEndpoint: table.endpoint, faults });
  const sink = new RecordingSink();
  const clock = { now: () => new Date(nowMs), advanceMinutes: (minutes: number) => void (nowMs += minutes * 60_000) };
  const env: Record<string, string> = {
    AUTOPILOT_SETTINGS: JSON.stringify(settings),
    ALERT_TOPIC_ARN: `arn:aws:sns:${REGION}:111122223333:autopilot-alerts`,
    LEDGER_TABLE_NAME: tableName,
    AWS_REGION: REGION,
    OWN_ROLE_NAMES: 'SsmComplianceAutopilot-TriageRole',
    COMMAND_LOG_GROUP: '/ssm-compliance-autopilot/ActingTest/commands',
  };
  const factory = new EventFactory(seededRandom(9));
  const used = new Set<string>();
  return {
    fake,
    settings,
    sink,
    ledger: new DynamoRemediationLedger(table.documentClient, tableName),
    failureNotes: new DynamoFailureNotes({ client: table.documentClient, tableName }),
    clock,
    inject: (operation, fault, times = 1) => void pending.push({ operation, fault, left: times }),
    faultsFired,
    container: () => buildDependencies(env, { clientConfig: { endpoint: server.endpoint, region: REGION, credentials }, clock, sink }),
    nodes: (cause, count) => {
      const picked = fleet.filter((node) => node.seededCause === cause && node.tags[settings.tagKey]?.trim().toLowerCase() === 'auto' && !used.has(node.instanceId)).slice(0, count);
      if (picked.length < count) throw new Error(`only ${picked.length} auto nodes with ${cause}`);
      for (const node of picked) used.add(node.instanceId);
      return picked;
    },
    record: (node, messageId) => ({ messageId, body: factory.nativeChange(node, nowMs, 'non_compliant').body }),
    statusEvent: (command, status) => factory.commandStatus(fake.nodes.get(command.instanceId)!, nowMs, command.commandId, command.requestedMs, status),
    accepted: (node) => [...fake.commands.values()].filter((command) => command.instanceId === node.instanceId),
    close: () => server.close(),
  };
}

export async function stopLedger(): Promise<void> {
  await table?.close();
  table = undefined;
}
