/**
 * What every Lambda builds once per module from its environment (docs/CONFIGURATION.md, "Lambda
 * environment"): settings, Powertools logger/metrics (or the caller's sink), SDK clients, the ledger,
 * the alert notifier and the lifecycle publisher. Each handler adds only the use case it runs
 * (`./triage`, `./follow-up`, `./sweep`), so its bundle holds only the code it needs.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SSMClient, SSMClientConfig } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRemediationLedger } from '../adapters/dynamo-ledger';
import { DynamoFailureNotes } from '../adapters/ledger/failure-notes';
import { createSsmActingClient, createSsmClient } from '../adapters/ssm-client';
import { alertEnvironmentFrom } from '../domain/alerts/environment';
import type { AlertEnvironment } from '../domain/alerts/types';
import { parseSettings, type AutopilotSettings } from '../domain/settings';
import type { AlertNotifier, LifecyclePublisher, PauseNotifier } from '../ports/alerts';
import { systemClock, type Clock, type OperationalSink, type RuntimeModeSource } from '../ports/runtime';
import { lazyAdapter } from './lazy-adapter';

export const METRICS_NAMESPACE = 'SsmComplianceAutopilot';

export interface WiringOverrides {
  clientConfig?: { endpoint?: string; region?: string; credentials?: SSMClientConfig['credentials'] };
  /** Replaces the Powertools sink (simulator, tests). */
  sink?: OperationalSink;
  clock?: Clock;
}

export interface Common {
  settings: AutopilotSettings;
  logger: Logger;
  metrics: Metrics;
  sink: OperationalSink;
  clock: Clock;
  environment: AlertEnvironment;
  region: string | undefined;
  tableName: string;
  /** Where the remediator's commands send their output (the stack's log group). */
  commandLogGroup: string;
  ownRoleNames: string[];
  ssm: SSMClient;
  /** Region, endpoint and credentials every client of this container is built with. */
  clientConfig: { region?: string; endpoint?: string; credentials?: SSMClientConfig['credentials'] };
  /** One attempt per call: SendCommand / StartAssociationsOnce are never retried by the SDK (ssm-client.ts). */
  ssmActing: SSMClient;
  dynamo: DynamoDBDocumentClient;
  ledger: DynamoRemediationLedger;
  /** Since when the follow-up notes failed patch command ends (the sweep writes it, the triage reads it). */
  failureNotes: DynamoFailureNotes;
  notifier: AlertNotifier & PauseNotifier;
  lifecycle: LifecyclePublisher;
  /** The live mode parameter (MODE_PARAMETER_NAME, set by the stack); absent: the deployed `settings.mode`. */
  liveMode?: { source: RuntimeModeSource; parameterName: string };
}

/** Reads the Lambda environment contract (see docs/CONFIGURATION.md); fails early naming what is missing. */
export function buildCommon(env: Record<string, string | undefined>, overrides: WiringOverrides = {}): Common {
  const settings = parseSettings(env['AUTOPILOT_SETTINGS'] ? (JSON.parse(env['AUTOPILOT_SETTINGS']) as unknown) : {}, 'AUTOPILOT_SETTINGS');
  const topicArn = required(env, 'ALERT_TOPIC_ARN');
  const tableName = required(env, 'LEDGER_TABLE_NAME');
  const commandLogGroup = required(env, 'COMMAND_LOG_GROUP');
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

  const clientConfig: Common['clientConfig'] = {
    ...(region ? { region } : {}),
    ...(overrides.clientConfig?.endpoint ? { endpoint: overrides.clientConfig.endpoint } : {}),
    ...(overrides.clientConfig?.credentials ? { credentials: overrides.clientConfig.credentials } : {}),
  };
  const ssm = createSsmClient(clientConfig);
  const ssmActing = createSsmActingClient(clientConfig);
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig), { marshallOptions: { removeUndefinedValues: true } });
  const ledger = new DynamoRemediationLedger(dynamo, tableName);
  const failureNotes = new DynamoFailureNotes({ client: dynamo, tableName });
  // Most invocations have nothing to alert or announce: the SNS and EventBridge adapters, their
  // clients and the alert composition load on first use, from their own chunks (lazy-adapter.ts;
  // docs/PERFORMANCE.md, "Bundles").
  const notifier = lazyAdapter<AlertNotifier & PauseNotifier>(
    async () => {
      const [{ SnsAlertNotifier }, { SNSClient }] = await Promise.all([import('../adapters/sns-notifier'), import('@aws-sdk/client-sns')]);
      return new SnsAlertNotifier(new SNSClient(clientConfig), topicArn, environment, sink);
    },
    { notifyDiagnosis: true, notifyExhausted: true, notifyDeferred: true, notifyResolved: true, notifyCommandFailed: true, notifyPaused: true },
  );
  const lifecycle = lazyAdapter<LifecyclePublisher>(
    async () => {
      const [{ EventBridgeLifecyclePublisher }, { EventBridgeClient }] = await Promise.all([
        import('../adapters/eventbridge-publisher'),
        import('@aws-sdk/client-eventbridge'),
      ]);
      return new EventBridgeLifecyclePublisher(new EventBridgeClient(clientConfig), eventBusName, sink);
    },
    { publish: true },
  );
  const parameterName = env['MODE_PARAMETER_NAME'];
  // Read on the first invocation (never at import: no call during the cold start). The adapter and
  // Powertools Parameters (~9 KB) load with that first read (lazy-adapter.ts), not at import.
  const liveMode = parameterName
    ? {
        source: lazyAdapter<RuntimeModeSource>(
          async () => {
            const { SsmModeParameter } = await import('../adapters/ssm-mode-parameter');
            return new SsmModeParameter({ client: ssm, parameterName, sink, clock });
          },
          { current: true },
        ),
        parameterName,
      }
    : undefined;
  return { settings, logger, metrics, sink, clock, environment, region, tableName, commandLogGroup, ownRoleNames, ssm, ssmActing, clientConfig, dynamo, ledger, failureNotes, notifier, lifecycle, ...(liveMode ? { liveMode } : {}) };
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
