/**
 * One simulated day: the fleet, its events, SQS, the pipeline under test (real handler code with real
 * SDK clients against the fake AWS server and the ledger on dynalite), the follow-up on command status
 * changes, the sweep on its schedule; and the naive peer on the same event stream.
 *
 * Time: simulated, advanced in steps (`stepSeconds`); inside a step the event source polls the queue
 * `pollRoundsPerStep` times (a real poller keeps polling while invocations take ~seconds). Everything
 * the report counts is measured on the fake AWS side or by the simulated queue, never taken from the
 * code under test.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLedgerTable } from './ledger-table';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AutopilotSettings } from '../lambdas/domain/settings';
import { DEFAULT_SETTINGS } from '../lambdas/domain/settings';
import type { Clock } from '../lambdas/ports/runtime';
import { FakeAws } from './aws-fake/state';
import { startFakeAws, type RateLimit } from './aws-fake/server';
import { DayPlan, EventFactory, type SimEvent } from './events';
import { buildFleet, HEALABLE_CAUSES, isHealed, seededRandom, type SimNode } from './fleet';
import { faultPlan, midBatchChanges, type FaultProfile } from './faults';
import { NaivePeer } from './naive';
import { SimulatedQueue } from './sqs';

/** The pipeline as the Lambda runtime sees it: the three handler entry points. */
export interface PipelineUnderTest {
  triage(event: SQSEvent): Promise<SQSBatchResponse | void>;
  followUp(event: Record<string, unknown>): Promise<unknown>;
  sweep(event: Record<string, unknown>): Promise<unknown>;
}

export interface PipelineContext {
  /** The fake AWS endpoint: SSM, SNS, EventBridge and DynamoDB (proxied to dynalite). */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  clock: Clock;
  /** The Lambda environment contract (COMMON.md), as the stack sets it. */
  env: Record<string, string>;
  settings: AutopilotSettings;
}

export type PipelineFactory = (context: PipelineContext) => Promise<PipelineUnderTest>;

export interface SimulationOptions {
  nodes: number;
  seed: number;
  pipeline: PipelineFactory;
  settings?: Partial<AutopilotSettings>;
  stepSeconds?: number;
  pollRoundsPerStep?: number;
  rateLimit?: RateLimit;
  batchSize?: number;
  batchingWindowSeconds?: number;
  maxConcurrency?: number;
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  sweepIntervalMinutes?: number;
  /** Faults. */
  duplicateRate?: number;
  malformedRate?: number;
  snsFailureRate?: number;
  offlineFraction?: number;
  deregisterFraction?: number;
  commandTimeoutFraction?: number;
  /** Simulated hours; default 24. */
  hours?: number;
  /** Acting-path faults (sim/faults.ts). Default none. */
  faults?: FaultProfile;
  onProgress?: (line: string) => void;
}

export interface SimulationReport {
  nodes: number;
  events: number;
  ssmReadCalls: number;
  ssmReadCallsPerEvent: number;
  /** Resource Groups Tagging API GetResources calls (the per-node tag reads). */
  taggingReadCalls: number;
  /** Every AWS read the pipeline made (SSM + tagging API) per event: the budget docs/PERFORMANCE.md tracks. */
  awsReadCallsPerEvent: number;
  throttledCalls: number;
  commands: Record<string, number>;
  duplicateCommands: number;
  /** Commands SSM accepted inside a node's cooldown or past the attempt cap (sim/aws-fake/guard-audit.ts). */
  commandsPastGuards: number;
  /** Commands SSM accepted while the in-flight caps were full. */
  commandsOutsideCaps: number;
  /** Faults injected by kind (--faults all). */
  faultsInjected: Record<string, number>;
  commandsToIneligibleNodes: number;
  rebootCap: number;
  maxConcurrentReboots: number;
  alerts: number;
  duplicateAlerts: number;
  eventsLost: number;
  deadLettered: number;
  nodesNeedingAction: number;
  nodesHealed: number;
  naive: { commands: number; reboots: number; ssmReadCalls: number };
  wallSeconds: number;
}

/** Diagnostics beside the report (printed with --details, used by tests to explain a failure). */
export interface SimulationDetails {
  readCallsByOperation: Record<string, number>;
  /** The same reads by the handler that made them (handlers run one at a time here, so a counter diff attributes them). */
  readCallsByHandler: Record<'triage' | 'followUp' | 'sweep', Record<string, number>>;
  ssmWriteCalls: number;
  queue: SimulatedQueue['stats'];
  lastInvocationError?: string;
  followUpFailures: number;
  sweepFailures: number;
  lastHandlerError?: string;
  snsFailuresInjected: number;
  invalidInstanceIdAnswers: number;
  malformedInjected: number;
  ineligibleDetails: string[];
  unhealed: { instanceId: string; cause: string; scope: string; commands: number }[];
  naive: NaivePeer['counts'];
  putEventsEntries: number;
  causesPresent: string[];
}

export const SIM_START_MS = Date.parse('2026-11-21T00:00:00Z');
const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const TABLE = 'autopilot-sim-ledger';
const ALERT_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:autopilot-alerts`;
const OWN_ROLES = 'SsmComplianceAutopilot-TriageRole,SsmComplianceAutopilot-FollowUpRole,SsmComplianceAutopilot-SweepRole';

const MALFORMED_BODIES = [
  '{"version":"0","id":"truncated", "detail-type": "AWS API Call via CloudTrail", "source": "aws.ssm", "detail": {',
  'not json at all',
  '{"version":"0","source":"aws.ssm","detail-type":"AWS API Call via CloudTrail","detail":{"eventSource":"ssm.amazonaws.com","eventName":"PutInventory","requestParameters":{"instanceId":42}}}',
  '{"source":"aws.ssm","detail-type":"Configuration Compliance State Change","detail":{"resource-type":"managed-instance","resource-id":"","compliance-status":"non_compliant"}}',
];

export async function runSimulation(options: SimulationOptions): Promise<{ report: SimulationReport; details: SimulationDetails }> {
  const wallStart = performance.now();
  const random = seededRandom(options.seed);
  const settings: AutopilotSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const stepMs = (options.stepSeconds ?? 60) * 1000;
  const pollRounds = options.pollRoundsPerStep ?? 6;
  const hours = options.hours ?? 24;
  let simNow = SIM_START_MS;
  const clock: Clock = { now: () => new Date(simNow) };

  const fleet = buildFleet({ nodes: options.nodes, seed: options.seed, startMs: SIM_START_MS, tagKey: settings.tagKey });
  const byId = new Map(fleet.map((node) => [node.instanceId, node]));
  for (const node of fleet) if (random() < (options.commandTimeoutFraction ?? 0.02)) node.nextCommandTimesOut = true;
  const installMinutesById = new Map(fleet.map((node) => [node.instanceId, 5 + Math.floor(random() * 11)]));
  const installMinutes = (id: string) => installMinutesById.get(id) ?? 10;

  const faultProfile = options.faults ?? 'none';
  const faultsInjected: Record<string, number> = {};
  const fake: FakeAws = new FakeAws({
    nodes: fleet,
    now: () => simNow,
    tagKey: settings.tagKey,
    defaultNodeMode: settings.defaultNodeMode,
    random: seededRandom(options.seed ^ 0x5eed),
    snsFailureRate: options.snsFailureRate ?? 0.05,
    alertRepeatHours: settings.alertRepeatHours,
    installMinutes: (node) => installMinutes(node.instanceId),
    guardLimits: settings,
    // The stack's IAM tag condition on SendCommand (lib/permissions.ts), as AWS applies it.
    iamScopeCondition: true,
    ...(faultProfile === 'all' ? { beforeSendCommand: midBatchChanges(() => fake, seededRandom(options.seed ^ 0xdead), settings.tagKey, faultsInjected) } : {}),
  });

  // The ledger: dynalite, a real DynamoDB-compatible server, behind the same endpoint (proxied).
  // dynalite ships no types; this is the one call we use.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = (require('dynalite') as (options: { createTableMs: number }) => import('node:net').Server)({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynalite.listen(0, '127.0.0.1', () => resolve()));
  const dynamoPort = (dynalite.address() as import('node:net').AddressInfo).port;
  const server = await startFakeAws(fake, {
    rateLimit: options.rateLimit ?? { ratePerSecond: 40, burst: 40 },
    dynamoEndpoint: `http://127.0.0.1:${dynamoPort}`,
    ...(faultProfile === 'all' ? { faults: faultPlan(seededRandom(options.seed ^ 0xfa1), faultsInjected) } : {}),
  });
  const credentials = { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret-key' };
  const dynamo = new DynamoDBClient({ endpoint: server.endpoint, region: REGION, credentials });
  await createLedgerTable(dynamo, TABLE);
  dynamo.destroy();

  const env: Record<string, string> = {
    AUTOPILOT_SETTINGS: JSON.stringify(settings),
    ALERT_TOPIC_ARN: ALERT_TOPIC,
    LEDGER_TABLE_NAME: TABLE,
    COMMAND_LOG_GROUP: '/ssm-compliance-autopilot/SsmComplianceAutopilot/commands',
    EVENT_BUS_NAME: 'default',
    OWN_ROLE_NAMES: OWN_ROLES,
    POWERTOOLS_SERVICE_NAME: 'triage',
    POWERTOOLS_METRICS_NAMESPACE: 'SsmComplianceAutopilot',
    AWS_REGION: REGION,
  };
  const pipeline = await options.pipeline({ endpoint: server.endpoint, region: REGION, credentials, clock, env, settings });

  const queue = new SimulatedQueue({
    batchSize: options.batchSize ?? 100,
    batchingWindowSeconds: options.batchingWindowSeconds ?? 30,
    maxConcurrency: options.maxConcurrency ?? 5,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 300 * 6,
    maxReceiveCount: options.maxReceiveCount ?? 5,
    duplicateRate: options.duplicateRate ?? 0.01,
    random: seededRandom(options.seed ^ 0x9e3779b9),
    queueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:autopilot-triage`,
  });
  const factory = new EventFactory(seededRandom(options.seed ^ 0x1234));
  const plan = new DayPlan(fleet, factory, seededRandom(options.seed ^ 0xabcd), {
    startMs: SIM_START_MS,
    maintenanceWindowOffsetMs: 2 * 3_600_000,
    maintenanceWindowMinutes: 20,
    offlineFraction: options.offlineFraction ?? 0.01,
    deregisterFraction: options.deregisterFraction ?? 0.002,
  });
  const naive = new NaivePeer(fleet, settings.tagKey, installMinutes);
  const pendingReactions: SimEvent[] = [];
  const faultRandom = seededRandom(options.seed ^ 0xfa017);
  let events = 0;
  let malformedInjected = 0;
  let followUpFailures = 0;
  let sweepFailures = 0;
  let lastHandlerError: string | undefined;
  const isNonCompliant = (node: SimNode) => node.seededCause !== null && !isHealed(node);

  const deliver = (event: SimEvent) => {
    events += 1;
    queue.send(event.body, event.atMs);
    naive.onEvent(event.instanceId, event.atMs);
    if (faultRandom() < (options.malformedRate ?? 0.001)) {
      malformedInjected += 1;
      events += 1;
      queue.send(MALFORMED_BODIES[malformedInjected % MALFORMED_BODIES.length]!, event.atMs);
    }
  };

  const readCallsByHandler: SimulationDetails['readCallsByHandler'] = { triage: {}, followUp: {}, sweep: {} };
  const readsNow = (): Record<string, number> => ({ ...fake.counters.readCallsByOperation });
  /** Runs one handler's work and adds the reads it made to its column. */
  const attributed = async <T>(handler: keyof SimulationDetails['readCallsByHandler'], work: () => Promise<T>): Promise<T> => {
    const before = readsNow();
    try {
      return await work();
    } finally {
      const column = readCallsByHandler[handler];
      for (const [operation, count] of Object.entries(readsNow())) {
        const added = count - (before[operation] ?? 0);
        if (added > 0) column[operation] = (column[operation] ?? 0) + added;
      }
    }
  };

  const invokeWithRetries = async (call: () => Promise<unknown>): Promise<boolean> => {
    // EventBridge -> Lambda is asynchronous: Lambda retries a failed invocation twice.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await call();
        return true;
      } catch (error) {
        lastHandlerError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
    return false;
  };

  const sweepEveryMs = (options.sweepIntervalMinutes ?? 15) * 60_000;
  let nextSweepMs = SIM_START_MS + sweepEveryMs;
  const dayEndMs = SIM_START_MS + hours * 3_600_000;
  const drainLimitMs = dayEndMs + 8 * 3_600_000;

  for (let stepStart = SIM_START_MS; ; stepStart += stepMs) {
    const stepEnd = stepStart + stepMs;
    const inDay = stepStart < dayEndMs;
    if (!inDay && queue.depth === 0 && fake.inFlightByNode.size === 0 && pendingReactions.length === 0) break;
    if (stepStart >= drainLimitMs) break;
    simNow = stepStart;
    if (inDay) for (const event of plan.eventsBetween(stepStart, stepEnd, isNonCompliant)) deliver(event);
    pendingReactions.sort((a, b) => a.atMs - b.atMs);
    while (pendingReactions.length > 0 && pendingReactions[0]!.atMs < stepEnd) deliver(pendingReactions.shift()!);
    naive.advance(stepEnd);

    for (let round = 0; round < pollRounds; round += 1) {
      simNow = stepStart + Math.floor((round * stepMs) / pollRounds);
      // Commands that ended by now: the node reacts, the status change goes to the follow-up.
      for (const command of fake.completeDueCommands(simNow)) {
        const node = byId.get(command.instanceId)!;
        const statusEvent = factory.commandStatus(node, command.dueMs, command.commandId, command.requestedMs, command.status);
        if (!(await attributed('followUp', () => invokeWithRetries(() => pipeline.followUp(statusEvent))))) followUpFailures += 1;
        pendingReactions.push(...plan.afterCommand(node, command.dueMs, isHealed(node) && node.seededCause !== 'FAILED_PATCHES'));
      }
      await attributed('triage', () => queue.poll(simNow, (event) => pipeline.triage(event), !inDay));
    }
    if (stepEnd >= nextSweepMs) {
      simNow = nextSweepMs;
      const sweepEvent = {
        version: '0',
        id: `sweep-${nextSweepMs}`,
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: ACCOUNT,
        time: new Date(nextSweepMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: REGION,
        resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/autopilot-sweep`],
        detail: {},
      };
      if (!(await attributed('sweep', () => invokeWithRetries(() => pipeline.sweep(sweepEvent))))) sweepFailures += 1;
      nextSweepMs += sweepEveryMs;
    }
    if (options.onProgress && (stepStart - SIM_START_MS) % 3_600_000 === 0) {
      options.onProgress(
        `t+${((stepStart - SIM_START_MS) / 3_600_000).toFixed(0)}h events=${events} queue=${queue.depth} reads=${fake.counters.ssmReadCalls} throttled=${fake.counters.throttledCalls} commands=${Object.values(fake.counters.commandsByAction).reduce((a, b) => a + b, 0)} wall=${((performance.now() - wallStart) / 1000).toFixed(0)}s`,
      );
    }
  }

  await server.close();
  await new Promise<void>((resolve) => dynalite.close(() => resolve()));

  const needing = fleet.filter(
    (node) => node.seededCause !== null && HEALABLE_CAUSES.has(node.seededCause) && fake.scopeOf(node) === 'auto' && !node.offline && !node.deregistered,
  );
  const healed = needing.filter((node) => isHealed(node));
  const commandsPerNode = new Map<string, number>();
  for (const command of fake.commands.values()) commandsPerNode.set(command.instanceId, (commandsPerNode.get(command.instanceId) ?? 0) + 1);
  const ssmReadCalls = fake.counters.ssmReadCalls;
  const report: SimulationReport = {
    nodes: options.nodes,
    events,
    ssmReadCalls,
    ssmReadCallsPerEvent: events === 0 ? 0 : Math.round((ssmReadCalls / events) * 10_000) / 10_000,
    taggingReadCalls: fake.counters.taggingReadCalls,
    awsReadCallsPerEvent: events === 0 ? 0 : Math.round(((ssmReadCalls + fake.counters.taggingReadCalls) / events) * 10_000) / 10_000,
    throttledCalls: fake.counters.throttledCalls,
    commands: { ...fake.counters.commandsByAction },
    duplicateCommands: fake.counters.duplicateCommands,
    commandsPastGuards: fake.audit?.pastGuards ?? 0,
    commandsOutsideCaps: fake.audit?.outsideCaps ?? 0,
    faultsInjected: { ...faultsInjected },
    commandsToIneligibleNodes: fake.counters.commandsToIneligibleNodes,
    rebootCap: settings.maxRebootsInFlight,
    maxConcurrentReboots: fake.counters.maxConcurrentReboots,
    alerts: fake.counters.alerts,
    duplicateAlerts: fake.counters.duplicateAlerts,
    eventsLost: queue.lostOriginals().length,
    deadLettered: queue.stats.deadLettered,
    nodesNeedingAction: needing.length,
    nodesHealed: healed.length,
    naive: { commands: naive.counts.commands, reboots: naive.counts.reboots, ssmReadCalls: naive.counts.ssmReadCalls },
    wallSeconds: Math.round((performance.now() - wallStart) / 100) / 10,
  };
  const details: SimulationDetails = {
    readCallsByOperation: { ...fake.counters.readCallsByOperation },
    readCallsByHandler,
    ssmWriteCalls: fake.counters.ssmWriteCalls,
    queue: { ...queue.stats },
    ...(queue.lastInvocationError ? { lastInvocationError: queue.lastInvocationError } : {}),
    followUpFailures,
    sweepFailures,
    ...(lastHandlerError ? { lastHandlerError } : {}),
    snsFailuresInjected: fake.counters.snsFailuresInjected,
    invalidInstanceIdAnswers: fake.counters.invalidInstanceIdAnswers,
    malformedInjected,
    ineligibleDetails: fake.counters.ineligibleDetails,
    unhealed: needing
      .filter((node) => !isHealed(node))
      .slice(0, 20)
      .map((node) => ({ instanceId: node.instanceId, cause: node.seededCause ?? '', scope: fake.scopeOf(node), commands: commandsPerNode.get(node.instanceId) ?? 0 })),
    naive: { ...naive.counts },
    putEventsEntries: fake.counters.putEventsEntries,
    causesPresent: [...new Set(fleet.flatMap((node) => (node.seededCause ? [node.seededCause] : [])))],
  };
  return { report, details };
}
