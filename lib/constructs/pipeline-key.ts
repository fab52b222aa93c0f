import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { alarmArnPattern } from './notification-topics';

/**
 * One customer-managed key for the pipeline's queues, topics and ledger, rotation on.
 * Our own roles use it through IAM (the key policy's account statement). Besides them, the key
 * serves the two AWS services that write into encrypted resources on our behalf and hold no IAM
 * role of ours; CloudWatch Logs does not use it (no log group is encrypted with it) and DynamoDB,
 * SQS and SNS use it only for our roles' own calls.
 *  - CloudWatch alarms, publishing to the encrypted ops topic (SNS developer guide, "Enable
 *    compatibility between event sources from AWS services and encrypted topics"): kms:Decrypt +
 *    kms:GenerateDataKey*, for alarms of this account and region only (aws:SourceAccount and
 *    aws:SourceArn: AWS's Modern Data Architecture Accelerator, `grantCloudWatchAlarmsTopicAccess`,
 *    documents both as supported for this grant; no CloudWatch or KMS guide page says so, so the
 *    ops topic's delivery is worth one test alarm after the first deploy, README "Deploy");
 *  - EventBridge, delivering to the encrypted triage queue and target DLQs (EventBridge user guide,
 *    "Amazon SQS permissions": kms:Decrypt + kms:GenerateDataKey). Without conditions: the SNS
 *    developer guide says aws:SourceAccount / aws:SourceArn are not supported in a key policy for
 *    EventBridge's deliveries to encrypted topics, and no AWS document says EventBridge's deliveries
 *    to encrypted queues carry them, so a condition here could silently drop every event.
 *    Which rules may write is decided by the queue policies instead (aws:SourceArn = our rule ARNs).
 */
export class PipelineKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'SSM compliance autopilot: queues, topics and remediation ledger',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeToEncryptForQueues',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToTopics',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // In a key policy "*" is this key.
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': alarmArnPattern(stack) },
        },
      }),
    );
  }
}
