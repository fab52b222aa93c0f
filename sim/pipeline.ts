/**
 * The pipeline under test, built from the project's real adapters and use cases with real SDK clients
 * pointed at the fake AWS endpoint, the ledger on dynalite (behind the same endpoint), and the
 * simulated clock. The composition mirrors what the Lambda wiring does per module: clients and
 * adapters are created once; each "invocation" only calls the use case.
 *
 * Counted outcomes the pipeline reports about itself (e.g. MalformedEvents) are kept in `metrics` for
 * the details output; the simulator's report never relies on them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoRemediationLedger } from '../lambdas/adapters/dynamo-ledger';
import { DynamoSweepScanner } from '../lambdas/adapters/dynamo-sweep-scanner';
import { EventBridgeLifecyclePublisher } from '../lambdas/adapters/eventbridge-publisher';
import { SnsAlertNotifier } from '../lambdas/adapters/sns-notifier';
import { SsmCalendarReader } from '../lambdas/adapters/ssm-calendar';
import { createSsmClient } from '../lambdas/adapters/ssm-client';
import { SsmCommandOutputReader } from '../lambdas/adapters/ssm-command-output';
import { SsmRemediator } from '../lambdas/adapters/ssm-remediator';
import { SsmStateReader } from '../lambdas/adapters/ssm-state-reader';
import type { OperationalSink } from '../lambdas/ports';
import { CommandFollowUp } from '../lambdas/usecases/follow-up';
import { LedgerSweep } from '../lambdas/usecases/sweep';
import { TriageUseCase } from '../lambdas/usecases/triage';
import type { PipelineContext, PipelineUnderTest } from './run';

/** Metrics the pipeline emitted, summed per name (its own view; not used for the report). */
export const pipelineMetrics = new Map<string, number>();

const sink: OperationalSink = {
  count: (metric, value = 1) => {
    pipelineMetrics.set(metric, (pipelineMetrics.get(metric) ?? 0) + value);
  },
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export async function realPipeline(context: PipelineContext): Promise<PipelineUnderTest> {
  pipelineMetrics.clear();
  const { endpoint, region, credentials, clock, env, settings } = context;
  const clientConfig = { endpoint, region, credentials };
  const ssm = createSsmClient(clientConfig);
  const ledgerClient = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const tableName = env['LEDGER_TABLE_NAME']!;
  const environment = { account: '111122223333', region };
  const ledger = new DynamoRemediationLedger(ledgerClient, tableName);
  const notifier = new SnsAlertNotifier(new SNSClient(clientConfig), env['ALERT_TOPIC_ARN']!, environment, sink);
  const lifecycle = new EventBridgeLifecyclePublisher(new EventBridgeClient(clientConfig), env['EVENT_BUS_NAME'] ?? 'default', sink);
  const triage = new TriageUseCase({
    reader: new SsmStateReader({ client: ssm, settings, clock, region }),
    ledger,
    remediator: new SsmRemediator({ client: ssm, settings, sink }),
    calendar: new SsmCalendarReader(ssm),
    notifier,
    lifecycle,
    clock,
    sink,
    settings,
    ownRoleNames: (env['OWN_ROLE_NAMES'] ?? '').split(',').filter((name) => name.length > 0),
    environment,
  });
  const followUp = new CommandFollowUp({
    ledger,
    outputReader: new SsmCommandOutputReader(ssm),
    notifier,
    lifecycle,
    clock,
    sink,
    environment,
  });
  const sweep = new LedgerSweep({
    ledger,
    scanner: new DynamoSweepScanner(ledgerClient, tableName),
    evaluator: { evaluateNodes: (instanceIds, evaluation) => triage.evaluateNodes(instanceIds, evaluation) },
    settings,
    clock,
    sink,
  });
  return {
    triage: (event) => triage.processRecords(event.Records),
    followUp: (event) => followUp.handle(event),
    sweep: () => sweep.run(),
  };
}
