/**
 * Follow-up entry point: EventBridge "EC2 Command Invocation Status-change Notification" for
 * AWS-RunPatchBaseline. Thin: clients, adapters and Powertools singletons are built once per module;
 * the use case does the work. A thrown error makes Lambda retry the async invocation (then the
 * function's DLQ); malformed and foreign events are counted and acknowledged.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoRemediationLedger } from '../adapters/dynamo-ledger';
import { EventBridgeLifecyclePublisher } from '../adapters/eventbridge-publisher';
import { PowertoolsSink } from '../adapters/powertools-sink';
import { SnsAlertNotifier } from '../adapters/sns-notifier';
import { createSsmClient } from '../adapters/ssm-client';
import { SsmCommandOutputReader } from '../adapters/ssm-command-output';
import { alertEnvironmentFrom, requiredEnv } from '../domain/alerts/environment';
import { systemClock } from '../ports';
import { CommandFollowUp, type FollowUpOutcome } from '../usecases/follow-up';

const env = process.env;
const logger = new Logger({ serviceName: env['POWERTOOLS_SERVICE_NAME'] ?? 'follow-up' });
const metrics = new Metrics({ namespace: env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'SsmComplianceAutopilot', serviceName: env['POWERTOOLS_SERVICE_NAME'] ?? 'follow-up' });
const sink = new PowertoolsSink(logger, metrics);
const environment = alertEnvironmentFrom(env);

const followUp = new CommandFollowUp({
  ledger: new DynamoRemediationLedger(
    DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
    requiredEnv(env, 'LEDGER_TABLE_NAME'),
  ),
  outputReader: new SsmCommandOutputReader(createSsmClient()),
  notifier: new SnsAlertNotifier(new SNSClient({}), requiredEnv(env, 'ALERT_TOPIC_ARN'), environment, sink),
  lifecycle: new EventBridgeLifecyclePublisher(new EventBridgeClient({}), env['EVENT_BUS_NAME'] ?? 'default', sink),
  clock: systemClock,
  sink,
  environment,
});

export const handler = async (event: unknown, context?: Context): Promise<FollowUpOutcome> => {
  if (context) logger.addContext(context);
  try {
    return await followUp.handle(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
