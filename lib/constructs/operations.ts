import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from './autopilot-function';

export interface MonitoredFunction {
  /** Short name used in alarm descriptions and widget titles (`triage`, `follow-up`, `sweep`). */
  readonly name: string;
  readonly function: lambda.IFunction;
}

export interface OperationsProps {
  /** Namespace of the functions' own metrics. @default METRICS_NAMESPACE */
  readonly metricsNamespace?: string;
  /** Topic the alarms notify (ALARM and OK). */
  readonly opsTopic: sns.ITopic;
  readonly triageQueue: sqs.IQueue;
  /** Every dead-letter queue of the pipeline; any message in one is an alarm. */
  readonly deadLetterQueues: ReadonlyArray<{ readonly name: string; readonly queue: sqs.IQueue }>;
  readonly functions: readonly MonitoredFunction[];
  /** Age of the oldest triage message that raises an alarm. @default Duration.minutes(30) */
  readonly maxTriageMessageAge?: Duration;
}

/** The pipeline's own health: alarms to the ops topic and one dashboard. */
export class Operations extends Construct {
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly dashboard: cloudwatch.Dashboard;
  private readonly opsTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.opsTopic = props.opsTopic;
    const namespace = props.metricsNamespace ?? METRICS_NAMESPACE;
    const period = Duration.minutes(5);

    for (const { name, queue } of props.deadLetterQueues) {
      this.alarm(`${name}DeadLetterAlarm`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        threshold: 0,
        description: `Messages in the ${name} dead-letter queue: events or nodes were not processed. Inspect and redrive.`,
      });
    }
    for (const { name, function: fn } of props.functions) {
      this.alarm(`${name}ErrorsAlarm`, {
        metric: fn.metricErrors({ period, statistic: 'Sum' }),
        threshold: 0,
        description: `The ${name} function failed (Errors > 0). See its log group.`,
      });
    }
    const malformedEvents = new cloudwatch.Metric({
      namespace,
      metricName: 'MalformedEvents',
      dimensionsMap: { service: 'triage' },
      statistic: 'Sum',
      period,
    });
    this.alarm('MalformedEventsAlarm', {
      metric: malformedEvents,
      threshold: 0,
      description: 'The triage function received events it could not parse (logged with their event ID).',
    });
    const oldestMessageAge = props.triageQueue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' });
    this.alarm('TriageQueueAgeAlarm', {
      metric: oldestMessageAge,
      threshold: (props.maxTriageMessageAge ?? Duration.minutes(30)).toSeconds(),
      description: 'Compliance events wait too long in the triage queue (throttling, errors, or maxConcurrency too low).',
    });

    const commandsSent = new cloudwatch.MathExpression({
      // Any dimension set (per action or not): the remediator's metric name is what matters.
      expression: `SEARCH('Namespace="${namespace}" MetricName="CommandsSent"', 'Sum', 300)`,
      label: 'CommandsSent',
      period,
    });
    // How much of the intake costs SSM reads: evaluated in detail, summary unchanged, no read at all.
    const triageCount = (metricName: string, label: string) =>
      new cloudwatch.Metric({ namespace, metricName, dimensionsMap: { service: 'triage' }, statistic: 'Sum', period, label });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Triage queue depth',
            left: [props.triageQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' })],
            right: props.deadLetterQueues.map(({ name, queue }) =>
              queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: `${name} DLQ` }),
            ),
          }),
          new cloudwatch.GraphWidget({ title: 'Oldest triage message (s)', left: [oldestMessageAge] }),
          new cloudwatch.GraphWidget({ title: 'Malformed events / commands sent', left: [malformedEvents], right: [commandsSent] }),
          new cloudwatch.GraphWidget({
            title: 'Triage: nodes read vs acknowledged without an SSM read',
            left: [triageCount('NodesEvaluated', 'evaluated'), triageCount('UnchangedNodes', 'summary unchanged')],
            right: [triageCount('QuietNodesSkipped', 'quiet (no read)')],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Function errors',
            left: props.functions.map(({ name, function: fn }) => fn.metricErrors({ period, statistic: 'Sum', label: name })),
          }),
          new cloudwatch.GraphWidget({
            title: 'Function duration p95 (ms)',
            left: props.functions.map(({ name, function: fn }) => fn.metricDuration({ period, statistic: 'p95', label: name })),
          }),
          new cloudwatch.GraphWidget({
            title: 'Concurrent executions',
            left: props.functions.map(({ name, function: fn }) =>
              fn.metric('ConcurrentExecutions', { period, statistic: 'Maximum', label: name }),
            ),
          }),
        ],
      ],
    });
  }

  /** One more alarm to the ops topic, with the same conventions as the built-in ones. */
  addAlarm(id: string, options: { metric: cloudwatch.IMetric; threshold: number; description: string }): void {
    this.alarm(id, options);
  }

  private alarm(id: string, options: { metric: cloudwatch.IMetric; threshold: number; description: string }): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No data = nothing happened (no messages, no errors).
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.opsTopic));
    alarm.addOkAction(new actions.SnsAction(this.opsTopic));
    this.alarms.push(alarm);
  }
}
