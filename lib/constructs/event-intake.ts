import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './encrypted-queue';

/**
 * CloudTrail records of the two SSM calls that carry compliance data (AWS-FACTS "Where compliance
 * data comes from": RunPatchBaseline writes PutInventory, associations write PutComplianceItems).
 */
export const CLOUDTRAIL_COMPLIANCE_PATTERN: events.EventPattern = {
  source: ['aws.ssm'],
  detailType: ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['ssm.amazonaws.com'],
    eventName: ['PutComplianceItems', 'PutInventory'],
  },
};

/** SSM's own event on a Patch/Association compliance change of a node; both statuses (so alerts can close). */
export const NATIVE_COMPLIANCE_PATTERN: events.EventPattern = {
  source: ['aws.ssm'],
  detailType: ['Configuration Compliance State Change'],
  detail: {
    'resource-type': ['managed-instance'],
    'compliance-status': ['compliant', 'non_compliant'],
  },
};

export interface EventIntakeProps {
  readonly encryptionKey: kms.IKey;
  /** Triage function timeout: the queue's visibility timeout is six times this (Lambda SQS guidance). */
  readonly consumerTimeout: Duration;
  /** Deliveries before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** @default true */
  readonly enableCloudTrailEvents?: boolean;
  /** @default true */
  readonly enableNativeComplianceEvents?: boolean;
  /** Create a trail (management write events) for the CloudTrail rule. @default false: reuse the account's trail */
  readonly createTrail?: boolean;
  /** Days the created trail's files are kept. @default 365 */
  readonly trailLogExpirationDays?: number;
}

/**
 * An SQS rule target whose queue policies admit EventBridge only for this rule (aws:SourceArn).
 * The library's SqsQueue target drops that condition for KMS-encrypted queues (to avoid a
 * dependency cycle through the key policy); our key policy is static, so no cycle arises here.
 */
class RuleScopedQueueTarget implements events.IRuleTarget {
  constructor(
    private readonly queue: sqs.IQueue,
    private readonly props: targets.TargetBaseProps & { readonly deadLetterQueue: sqs.IQueue },
  ) {}

  bind(rule: events.IRuleRef): events.RuleTargetConfig {
    const fromThisRule = { ArnEquals: { 'aws:SourceArn': rule.ruleRef.ruleArn } };
    const eventBridge = new iam.ServicePrincipal('events.amazonaws.com');
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({ principals: [eventBridge], actions: ['sqs:SendMessage'], resources: [this.queue.queueArn], conditions: fromThisRule }),
    );
    this.props.deadLetterQueue.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [eventBridge],
        actions: ['sqs:SendMessage'],
        resources: [this.props.deadLetterQueue.queueArn],
        conditions: fromThisRule,
      }),
    );
    return { ...targets.bindBaseTargetConfig(this.props), arn: this.queue.queueArn, targetResource: this.queue };
  }
}

/**
 * Compliance events on the default bus -> the encrypted triage queue. Each rule target has its
 * own dead-letter queue and retry policy, so an event EventBridge cannot deliver is kept, not lost.
 */
export class EventIntake extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly cloudTrailRule?: events.Rule;
  public readonly nativeComplianceRule?: events.Rule;
  /** Each rule target's DLQ, named after its rule (for alarms and the dashboard). */
  public readonly targetDeadLetterQueues: Array<{ readonly name: string; readonly queue: sqs.Queue }> = [];
  public readonly trail?: cloudtrail.Trail;

  constructor(scope: Construct, id: string, props: EventIntakeProps) {
    super(scope, id);

    this.deadLetterQueue = new DeadLetterQueue(this, 'TriageDeadLetterQueue', {
      encryptionKey: props.encryptionKey,
      purpose: 'triage messages that failed maxReceiveCount times',
    }).queue;
    this.queue = new sqs.Queue(this, 'TriageQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      // Fewer KMS calls at fleet-scale volume (AWS-FACTS "Limits and volume": bursts of 50-170 events/s).
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });

    if (props.enableCloudTrailEvents ?? true) {
      this.cloudTrailRule = this.ruleToQueue('CloudTrailComplianceCallsRule', CLOUDTRAIL_COMPLIANCE_PATTERN,
        'SSM PutComplianceItems / PutInventory calls (CloudTrail) to the compliance triage queue', props.encryptionKey);
    }
    if (props.enableNativeComplianceEvents ?? true) {
      this.nativeComplianceRule = this.ruleToQueue('NativeComplianceChangeRule', NATIVE_COMPLIANCE_PATTERN,
        'SSM Configuration Compliance State Change events to the compliance triage queue', props.encryptionKey);
    }
    if (props.createTrail) {
      this.trail = this.createTrail(props.trailLogExpirationDays ?? 365);
    }
  }

  private ruleToQueue(id: string, eventPattern: events.EventPattern, description: string, key: kms.IKey): events.Rule {
    const targetDlq = new DeadLetterQueue(this, `${id}TargetDeadLetterQueue`, {
      encryptionKey: key,
      purpose: `events the ${id} target could not deliver`,
    }).queue;
    this.targetDeadLetterQueues.push({ name: id.replace(/Rule$/, 'Target'), queue: targetDlq });
    const rule = new events.Rule(this, id, { description, eventPattern });
    rule.addTarget(
      new RuleScopedQueueTarget(this.queue, {
        deadLetterQueue: targetDlq,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    );
    return rule;
  }

  private createTrail(expirationDays: number): cloudtrail.Trail {
    const bucket = new s3.Bucket(this, 'TrailBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        { expiration: Duration.days(expirationDays), noncurrentVersionExpiration: Duration.days(30) },
        { abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The bucket only receives CloudTrail log files written by cloudtrail.amazonaws.com (file validation on, versioned, SSL-only, public access blocked). Server access logs would need another bucket. The trail records management write events only: changes to this bucket (policy, lifecycle, deletion) are logged, reads of its objects are not.',
    });
    // The library's bucket statements for cloudtrail.amazonaws.com carry no aws:SourceArn (it adds one
    // for organization trails only). CloudTrail sends it (CloudTrail user guide, "Amazon S3 bucket
    // policy for CloudTrail": aws:SourceArn = the trail's ARN, confused-deputy prevention), so any
    // other trail is denied. The name is fixed so the ARN is known without a reference to the trail,
    // which itself waits for this policy.
    const stack = Stack.of(this);
    const suffix = '-compliance-calls';
    const trailName = `${stack.stackName.slice(0, 128 - suffix.length)}${suffix}`;
    const trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: trailName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherTrails',
        effect: iam.Effect.DENY,
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['s3:GetBucketAcl', 's3:PutObject'],
        resources: [bucket.bucketArn, bucket.arnForObjects('*')],
        conditions: { StringNotEquals: { 'aws:SourceArn': trailArn } },
      }),
    );
    return new cloudtrail.Trail(this, 'Trail', {
      trailName,
      bucket,
      // Only management write events are needed: PutComplianceItems / PutInventory (AWS-FACTS "Events").
      managementEvents: cloudtrail.ReadWriteType.WRITE_ONLY,
      includeGlobalServiceEvents: false,
      isMultiRegionTrail: false,
      enableFileValidation: true,
      sendToCloudWatchLogs: false,
    });
  }
}
