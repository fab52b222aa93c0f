import * as path from 'node:path';
import { Duration, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { commandLogGroupFor } from '../lambdas/adapters/ssm-remediator';
import type { AutopilotConfig } from './config';
import { AutopilotFunction, METRICS_NAMESPACE } from './constructs/autopilot-function';

/** The functions' metrics namespace: `SsmComplianceAutopilot/<stack>`, so two stacks' alarms never see each other's metrics. */
export function metricsNamespaceFor(stackName: string): string {
  return `${METRICS_NAMESPACE}/${stackName}`;
}
import { DeadLetterQueue } from './constructs/encrypted-queue';
import { EventIntake } from './constructs/event-intake';
import { LiveMode } from './constructs/live-mode';
import { addStackOutputs } from './stack-outputs';
import { NotificationTopics } from './constructs/notification-topics';
import { Operations } from './constructs/operations';
import { PipelineKey } from './constructs/pipeline-key';
import { RemediationLedgerTable } from './constructs/remediation-ledger-table';
import { Reporting } from './constructs/reporting';
import {
  PATCH_DOCUMENT_NAME,
  grantAssociationRerun,
  grantCalendarRead,
  grantCommandOutputRead,
  grantFindingImport,
  grantNodeStateRead,
  grantPatchCommand,
  grantPutEvents,
} from './permissions';

/** Run Command status changes of the pipeline's own document (AWS-FACTS "Events"). */
export const COMMAND_STATUS_PATTERN: events.EventPattern = {
  source: ['aws.ssm'],
  detailType: ['EC2 Command Invocation Status-change Notification'],
  // Terminal statuses only (the follow-up ignores Pending/InProgress/Delayed/Cancelling): about a
  // third of the invocations per command.
  detail: { 'document-name': [PATCH_DOCUMENT_NAME], status: ['Success', 'Failed', 'TimedOut', 'Cancelled'] },
};

/** Lifecycle events go to the account's default bus, where other teams' rules can pick them up. */
export const EVENT_BUS_NAME = 'default';

const HANDLERS_DIR = path.join(__dirname, '..', 'lambdas', 'handlers');

/** Entry files of the three handlers. */
export interface HandlerEntries {
  readonly triage: string;
  readonly followUp: string;
  readonly sweep: string;
  /** @default lambdas/handlers/report.ts */
  readonly report?: string;
}

export const DEFAULT_HANDLER_ENTRIES: HandlerEntries = {
  triage: path.join(HANDLERS_DIR, 'triage.ts'),
  followUp: path.join(HANDLERS_DIR, 'follow-up.ts'),
  sweep: path.join(HANDLERS_DIR, 'sweep.ts'),
  report: path.join(HANDLERS_DIR, 'report.ts'),
};

export interface AutopilotStackProps extends StackProps {
  readonly config: AutopilotConfig;
  /**
   * Where the handler modules are. Template tests point this at a fixture so that they assert the
   * infrastructure independently of the handlers' code.
   * @default DEFAULT_HANDLER_ENTRIES (lambdas/handlers/*.ts)
   */
  readonly handlerEntries?: HandlerEntries;
}

export class AutopilotStack extends Stack {
  public readonly intake: EventIntake;
  public readonly topics: NotificationTopics;
  public readonly ledger: RemediationLedgerTable;
  public readonly triage: AutopilotFunction;
  public readonly followUp: AutopilotFunction;
  public readonly sweep: AutopilotFunction;
  public readonly operations: Operations;
  /** The runtime mode parameter (emergency stop without a redeploy). */
  public readonly liveMode: LiveMode;
  /** Scheduled compliance reports (absent with `reports: false`). */
  public readonly reporting?: Reporting;
  /** Where the nodes stream the output of the pipeline's RunPatchBaseline commands. */
  public readonly commandOutputLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AutopilotStackProps) {
    super(scope, id, props);
    const { infra, settings } = props.config;
    const entries = props.handlerEntries ?? DEFAULT_HANDLER_ENTRIES;
    const logRetention = infra.logRetentionDays as logs.RetentionDays;
    const key = new PipelineKey(this, 'PipelineKey').key;

    this.topics = new NotificationTopics(this, 'Notifications', {
      encryptionKey: key,
      alertEmails: infra.alertEmails,
      opsEmails: infra.opsEmails,
    });
    this.ledger = new RemediationLedgerTable(this, 'RemediationLedger', { encryptionKey: key });
    const triageTimeout = Duration.seconds(infra.triageTimeoutSeconds);
    this.intake = new EventIntake(this, 'EventIntake', {
      encryptionKey: key,
      consumerTimeout: triageTimeout,
      maxReceiveCount: infra.maxReceiveCount,
      enableCloudTrailEvents: infra.enableCloudTrailEvents,
      enableNativeComplianceEvents: infra.enableNativeComplianceEvents,
      createTrail: infra.createTrail,
      trailLogExpirationDays: infra.trailLogExpirationDays,
    });

    // One DLQ per EventBridge -> Lambda path, used both by the rule target (delivery failed) and by
    // the function's asynchronous invocation (Lambda's own retries failed).
    const followUpFailures = new DeadLetterQueue(this, 'FollowUpDeadLetterQueue', {
      encryptionKey: key,
      purpose: 'command status events the follow-up could not receive or process',
    }).queue;
    const sweepFailures = new DeadLetterQueue(this, 'SweepDeadLetterQueue', {
      encryptionKey: key,
      purpose: 'sweep schedule events that could not be delivered or processed',
    }).queue;

    // Names that exist once per account and region carry the stack name: two stacks never share them.
    const commandLogGroupName = commandLogGroupFor(this.stackName);
    const metricsNamespace = metricsNamespaceFor(this.stackName);
    const environment = {
      AUTOPILOT_SETTINGS: JSON.stringify(settings),
      ALERT_TOPIC_ARN: this.topics.alertTopic.topicArn,
      LEDGER_TABLE_NAME: this.ledger.table.tableName,
      EVENT_BUS_NAME,
      COMMAND_LOG_GROUP: commandLogGroupName,
      POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
    };
    this.triage = new AutopilotFunction(this, 'Triage', {
      entry: entries.triage,
      serviceName: 'triage',
      description: 'Reads nodes named by compliance events, diagnoses, remediates or alerts',
      timeout: triageTimeout,
      environment,
      logRetention,
    });
    this.followUp = new AutopilotFunction(this, 'FollowUp', {
      entry: entries.followUp,
      serviceName: 'follow-up',
      description: 'Follows AWS-RunPatchBaseline commands of the autopilot to their end',
      timeout: Duration.seconds(60),
      environment,
      logRetention,
      deadLetterQueue: followUpFailures,
    });
    this.sweep = new AutopilotFunction(this, 'Sweep', {
      entry: entries.sweep,
      serviceName: 'sweep',
      description: 'Re-evaluates deferred nodes, stale locks and nodes still non-compliant after a command',
      timeout: Duration.minutes(5),
      environment,
      logRetention,
      deadLetterQueue: sweepFailures,
    });
    const functions = [this.triage, this.followUp, this.sweep];
    this.liveMode = new LiveMode(this, 'LiveMode', {
      initialMode: settings.mode,
      metricsNamespace,
      services: ['triage', 'follow-up', 'sweep'],
    });
    for (const fn of functions) {
      this.liveMode.grantRead(fn.role);
      fn.function.addEnvironment('MODE_PARAMETER_NAME', this.liveMode.parameterName);
    }
    // Calls made by these roles are dropped at intake (no feedback loop through our own API calls).
    const ownRoleNames = functions.map((fn) => fn.role.roleName);
    for (const fn of functions) fn.function.addEnvironment('OWN_ROLE_NAMES', Fn.join(',', ownRoleNames));

    this.triage.function.addEventSource(
      new SqsEventSource(this.intake.queue, {
        batchSize: infra.triageBatchSize,
        maxBatchingWindow: Duration.seconds(infra.triageBatchingWindowSeconds),
        maxConcurrency: infra.triageMaxConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    for (const fn of functions) {
      this.ledger.table.grantReadWriteData(fn.role);
      this.topics.grantAlertPublish(fn.role);
      grantPutEvents(fn.role, EVENT_BUS_NAME);
      for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
        Validations.of(fn.role).acknowledge({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: 'Added by the CDK grants of the KMS-encrypted ledger, topic and queues; the resource is the one pipeline key only.',
        });
      }
    }
    // Triage and sweep both evaluate nodes end to end (the sweep calls the triage use case).
    for (const fn of [this.triage, this.sweep]) {
      grantNodeStateRead(fn.role);
      grantPatchCommand(fn.role, settings);
      grantCalendarRead(fn.role, settings.changeCalendarNames);
      if (settings.rerunFailedAssociations) grantAssociationRerun(fn.role);
      if (settings.securityHubFindings) grantFindingImport(fn.role);
    }
    grantCommandOutputRead(this.followUp.role);

    new events.Rule(this, 'CommandStatusRule', {
      description: 'AWS-RunPatchBaseline command status changes to the autopilot follow-up',
      eventPattern: COMMAND_STATUS_PATTERN,
    }).addTarget(
      new targets.LambdaFunction(this.followUp.function, {
        deadLetterQueue: followUpFailures,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );
    new events.Rule(this, 'SweepSchedule', {
      description: 'Periodic sweep of the remediation ledger',
      schedule: events.Schedule.rate(Duration.minutes(infra.sweepIntervalMinutes)),
    }).addTarget(
      new targets.LambdaFunction(this.sweep.function, {
        deadLetterQueue: sweepFailures,
        // A late sweep is useless: the next one is on its way.
        retryAttempts: 2,
        maxEventAge: Duration.minutes(infra.sweepIntervalMinutes),
      }),
    );

    // The remediator sends commands with CloudWatchOutputConfig to this group; creating it here gives
    // it a retention (SSM would otherwise create it, through the node's role, kept forever). The
    // nodes' instance profile needs logs:CreateLogStream / PutLogEvents on it for the output to arrive.
    this.commandOutputLogGroup = new logs.LogGroup(this, 'CommandOutputLogGroup', {
      logGroupName: commandLogGroupName,
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    if (infra.reports) {
      this.reporting = new Reporting(this, 'Reporting', {
        encryptionKey: key,
        grantAlertPublish: (role) => this.topics.grantAlertPublish(role),
        ledgerTable: this.ledger.table,
        entry: entries.report ?? path.join(HANDLERS_DIR, 'report.ts'),
        environment,
        logRetention,
        schedule: infra.reportSchedule,
        retentionDays: infra.reportRetentionDays,
      });
    }
    const reporting = this.reporting;

    this.operations = new Operations(this, 'Operations', {
      metricsNamespace,
      opsTopic: this.topics.opsTopic,
      triageQueue: this.intake.queue,
      deadLetterQueues: [
        { name: 'Triage', queue: this.intake.deadLetterQueue },
        ...this.intake.targetDeadLetterQueues,
        { name: 'FollowUp', queue: followUpFailures },
        { name: 'Sweep', queue: sweepFailures },
        ...(reporting ? [{ name: 'Report', queue: reporting.deadLetterQueue.queue }] : []),
      ],
      functions: [
        { name: 'triage', function: this.triage.function },
        { name: 'follow-up', function: this.followUp.function },
        { name: 'sweep', function: this.sweep.function },
        ...(reporting ? [{ name: 'report', function: reporting.function.function }] : []),
      ],
    });
    this.operations.addAlarm('ModeParameterFallbackAlarm', {
      metric: this.liveMode.fallbacks,
      threshold: 0,
      description: `The mode parameter ${this.liveMode.parameterName} is unreadable or invalid: the functions act as notify-only (nothing is changed). Fix the value or the functions' access.`,
    });

    addStackOutputs(this, {
      alertTopic: this.topics.alertTopic,
      opsTopic: this.topics.opsTopic,
      ledgerTable: this.ledger.table,
      dashboard: this.operations.dashboard,
      modeParameterName: this.liveMode.parameterName,
      commandLogGroup: this.commandOutputLogGroup,
      ...(this.reporting ? { reportBucket: this.reporting.bucket } : {}),
    });
  }
}
