import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * One customer-managed key for the pipeline's queues, topics and ledger, rotation on.
 * Besides the account (IAM decides for our own roles), the key policy lets in the two AWS
 * services that write into encrypted resources on our behalf and hold no IAM role of ours:
 *  - EventBridge, delivering to the encrypted triage queue and target DLQs
 *    (EventBridge user guide, "Amazon SQS permissions": kms:Decrypt + kms:GenerateDataKey);
 *  - CloudWatch alarms, publishing to the encrypted ops/alert topics
 *    (SNS developer guide, "Enable compatibility between event sources and encrypted topics").
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
        // As documented, without conditions: whether CloudWatch sends aws:SourceAccount on its
        // KMS calls is not documented, and a wrong guess would silently drop every alarm.
        resources: ['*'],
      }),
    );
  }
}
