/**
 * The one place the Lambdas' dependencies are built: SDK clients, adapters and use cases, once per
 * module (handlers call `buildDependencies(process.env)` at module load). The simulator and tests
 * call it with a local endpoint and their own sink.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SSMClientConfig } from '@aws-sdk/client-ssm';
import { DynamoRemediationLedger } from './adapters/dynamo-ledger';
import { DynamoSweepScanner } from './adapters/dynamo-sweep-scanner';
import { EventBridgeLifecyclePublisher } from './adapters/eventbridge-publisher';
import { SnsAlertNotifier } from './adapters/sns-notifier';
import { SsmCalendarReader } from './adapters/ssm-calendar';
import { createSsmClient } from './adapters/ssm-client';
import { SsmCommandOutputReader } from './adapters/ssm-command-output';
import { SsmRemediator } from './adapters/ssm-remediator';
import { SsmStateReader } from './adapters/ssm-state-reader';
import { alertEnvironmentFrom } from './domain/alerts/environment';
import { parseSettings, type AutopilotSettings } from './domain/settings';
import { systemClock, type Clock, type OperationalSink } from './ports';
import { CommandFollowUp } from './usecases/follow-up';
import { LedgerSweep } from './usecases/sweep';
import { TriageUseCase } from './usecases/triage';

export const METRICS_NAMESPACE = 'SsmComplianceAutopilot';

export interface WiringOverrides {
  clientConfig?: { endpoint?: string; region?: string; credentials?: SSMClientConfig['credentials'] };
  /** Replaces the Powertools sink (simulator, tests). */
  sink?: OperationalSink;
  clock?: Clock;
}

export interface Dependencies {
  settings: AutopilotSettings;
  logger: Logger;
  metrics: Metrics;
  sink: OperationalSink;
  triage: TriageUseCase;
  followUp: CommandFollowUp;
  sweep: LedgerSweep;
}

/** Reads the Lambda environment contract (see docs/CONFIGURATION.md); fails early naming what is missing. */
export function buildDependencies(env: Record<string, string | undefined>, overrides: WiringOverrides = {}): Dependencies {
  const settings = parseSettings(env['AUTOPILOT_SETTINGS'] ? (JSON.parse(env['AUTOPILOT_SETTINGS']) as unknown) : {}, 'AUTOPILOT_SETTINGS');
  const topicArn = required(env, 'ALERT_TOPIC_ARN');
  const tableName = required(env, 'LEDGER_TABLE_NAME');
  const eventBusName = env['EVENT_BUS_NAME'] || 'default';
  const ownRoleNames = (env['OWN_ROLE_NAMES'] ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  const region = overrides.clientConfig?.region ?? env['AWS_REGION'];
  // Lambda sets no account variable: alertEnvironmentFrom reads it from the alert topic's ARN.
  const environment = { ...alertEnvironmentFrom(env), ...(region ? { region } : {}), ...(env['AWS_ACCOUNT_ID'] ? { account: env['AWS_ACCOUNT_ID'] } : {}) };

  const serviceName = env['POWERTOOLS_SERVICE_NAME'] ?? 'triage';
  const logger = new Logger({ serviceName });
  const metrics = new Metrics({ namespace: env['POWERTOOLS_METRICS_NAMESPACE'] ?? METRICS_NAMESPACE, serviceName });
  const sink = overrides.sink ?? powertoolsSink(logger, metrics);
  const clock = overrides.clock ?? systemClock;

  const clientConfig = {
    ...(region ? { region } : {}),
    ...(overrides.clientConfig?.endpoint ? { endpoint: overrides.clientConfig.endpoint } : {}),
    ...(overrides.clientConfig?.credentials ? { credentials: overrides.clientConfig.credentials } : {}),
  };
  const ssm = createSsmClient(clientConfig);
  // Most invocations have nothing to alert or announce: these two clients are built on first use,
  // which keeps their construction out of every cold start (docs/PERFORMANCE.md, "Bundles").
  const sns = constructOnFirstSend(() => new SNSClient(clientConfig));
  const eventBridge = constructOnFirstSend(() => new EventBridgeClient(clientConfig));
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig), { marshallOptions: { removeUndefinedValues: true } });

  const ledger = new DynamoRemediationLedger(dynamo, tableName);
  const notifier = new SnsAlertNotifier(sns, topicArn, environment, sink);
  const lifecycle = new EventBridgeLifecyclePublisher(eventBridge, eventBusName, sink);
  const triage = new TriageUseCase({
    reader: new SsmStateReader({ client: ssm, settings, clock, ...(region ? { region } : {}) }),
    ledger,
    remediator: new SsmRemediator({ client: ssm, settings, sink }),
    calendar: new SsmCalendarReader(ssm),
    notifier,
    lifecycle,
    clock,
    sink,
    settings,
    ownRoleNames,
    environment,
  });
  const followUp = new CommandFollowUp({ ledger, outputReader: new SsmCommandOutputReader(ssm), notifier, lifecycle, clock, sink, environment });
  const sweep = new LedgerSweep({ ledger, scanner: new DynamoSweepScanner(dynamo, tableName), evaluator: triage, calendar: new SsmCalendarReader(ssm), settings, clock, sink });
  return { settings, logger, metrics, sink, triage, followUp, sweep };
}

/** A client's `send`, with the client constructed on the first call. */
function constructOnFirstSend<C extends { send: (...args: never[]) => unknown }>(create: () => C): Pick<C, 'send'> {
  let client: C | undefined;
  const send = (...args: never[]) => {
    client ??= create();
    return client.send(...args);
  };
  return { send: send as C['send'] };
}

/** Logs through the Powertools Logger, counts through Powertools Metrics (published by the handler). */
export function powertoolsSink(logger: Logger, metrics: Metrics): OperationalSink {
  return {
    count: (metric, value = 1) => metrics.addMetric(metric, MetricUnit.Count, value),
    debug: (message, fields) => logger.debug(message, fields ?? {}),
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  };
}

function required(env: Record<string, string | undefined>, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Environment variable ${name} is required (set by the stack)`);
  return value;
}
