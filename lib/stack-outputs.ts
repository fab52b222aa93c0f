import { Aws, CfnOutput, Fn, type Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';

/** What a platform team subscribes to, looks at and changes after a deploy (`docs/OPERATIONS.md`). */
export interface StackOutputSources {
  readonly alertTopic: sns.ITopic;
  readonly opsTopic: sns.ITopic;
  readonly ledgerTable: dynamodb.ITable;
  readonly dashboard: cloudwatch.Dashboard;
  readonly modeParameterName: string;
  readonly commandLogGroup: logs.ILogGroup;
  /** The report bucket, when the stack has one. */
  readonly reportBucket?: s3.IBucket;
}

/** Output IDs are stable names: scripts read them with `aws cloudformation describe-stacks`. */
export const OUTPUT_NAMES = [
  'AlertTopicArn',
  'OpsTopicArn',
  'LedgerTableName',
  'DashboardUrl',
  'ModeParameterName',
  'CommandLogGroupName',
  'ReportBucketName',
] as const;

export function addStackOutputs(stack: Stack, sources: StackOutputSources): void {
  new CfnOutput(stack, 'AlertTopicArn', {
    value: sources.alertTopic.topicArn,
    description: 'On-call alerts (node diagnoses, exhausted remediations, failed commands): subscribe here',
  });
  new CfnOutput(stack, 'OpsTopicArn', { value: sources.opsTopic.topicArn, description: "The pipeline's own CloudWatch alarms: subscribe here" });
  new CfnOutput(stack, 'LedgerTableName', { value: sources.ledgerTable.tableName, description: 'Remediation ledger (retained on stack deletion)' });
  new CfnOutput(stack, 'DashboardUrl', {
    // The console URL of the aws partition.
    value: Fn.join('', ['https://', Aws.REGION, '.console.aws.amazon.com/cloudwatch/home?region=', Aws.REGION, '#dashboards/dashboard/', sources.dashboard.dashboardName]),
    description: 'CloudWatch dashboard of the pipeline',
  });
  new CfnOutput(stack, 'ModeParameterName', {
    value: sources.modeParameterName,
    description: 'Live mode (auto | dry-run | notify-only | paused): aws ssm put-parameter --overwrite --name <this> --value paused',
  });
  new CfnOutput(stack, 'CommandLogGroupName', {
    value: sources.commandLogGroup.logGroupName,
    description: "Output of the autopilot's RunPatchBaseline commands (nodes need logs:CreateLogStream/PutLogEvents on it)",
  });
  if (sources.reportBucket) {
    new CfnOutput(stack, 'ReportBucketName', { value: sources.reportBucket.bucketName, description: 'Compliance reports (CSV / HTML)' });
  }
}
