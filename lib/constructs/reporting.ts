import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { HISTORY_PREFIX, LATEST_PREFIX, REPORT_PREFIX } from '../../lambdas/domain/report/keys';
import { grantNodeStateRead } from '../permissions';
import { AutopilotFunction } from './autopilot-function';
import { DeadLetterQueue } from './encrypted-queue';

export interface ReportingProps {
  /** The pipeline key: encrypts the report bucket (SSE-KMS) and the report DLQ. */
  readonly encryptionKey: kms.IKey;
  /**
   * Lets a role publish to the alert topic (one REPORT message per run): NotificationTopics'
   * grantAlertPublish, which also excepts the role from the topic policy's deny of other principals.
   */
  readonly grantAlertPublish: (role: iam.IRole) => void;
  /** The remediation ledger, read for the automation columns. */
  readonly ledgerTable: dynamodb.ITable;
  /** Handler module of the report function. */
  readonly entry: string;
  /** The Lambda environment contract shared with the other functions (settings, topic, table). */
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  /** EventBridge schedule expression, `rate(...)` or `cron(...)` (UTC). */
  readonly schedule: string;
  /** Days report objects (and the history) are kept before S3 expires them. */
  readonly retentionDays: number;
  /** @default Duration.minutes(15) */
  readonly timeout?: Duration;
}

/**
 * Scheduled compliance reports: the report bucket (SSE-KMS with the pipeline key, SSL only, public
 * access blocked, owner-enforced, expiring after `retentionDays`, access logged to its own log
 * bucket), the report function with least-privilege grants, and its schedule.
 */
export class Reporting extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogBucket: s3.Bucket;
  public readonly function: AutopilotFunction;
  public readonly schedule: events.Rule;
  public readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: ReportingProps) {
    super(scope, id);
    const lifecycle: s3.LifecycleRule[] = [
      { id: 'ExpireReports', expiration: Duration.days(props.retentionDays), abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ];
    // Server access logs cannot go to an SSE-KMS bucket (S3 user guide, "Enabling Amazon S3 server
    // access logging": the target bucket must use SSE-S3), hence a separate, S3-managed one.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: lifecycle,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the access-log target of the report bucket; logging it would log its own log deliveries.',
    });
    this.bucket = new s3.Bucket(this, 'ReportBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      // One data key per bucket instead of one KMS call per object (S3 Bucket Keys).
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'report-bucket/',
      lifecycleRules: lifecycle,
      // Reports are audit evidence: the bucket outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', {
      encryptionKey: props.encryptionKey,
      purpose: 'report schedule events that could not be delivered or processed',
    });
    this.function = new AutopilotFunction(this, 'Function', {
      entry: props.entry,
      serviceName: 'report',
      description: 'Writes the compliance reports (CSV, HTML, daily history) to S3 and sends one REPORT message',
      timeout: props.timeout ?? Duration.minutes(15),
      memorySize: 1024,
      environment: { ...props.environment, REPORT_BUCKET_NAME: this.bucket.bucketName },
      logRetention: props.logRetention,
      deadLetterQueue: this.deadLetterQueue.queue,
    });
    this.grant(props);

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Compliance report schedule',
      schedule: events.Schedule.expression(props.schedule),
    });
    this.schedule.addTarget(
      new targets.LambdaFunction(this.function.function, {
        deadLetterQueue: this.deadLetterQueue.queue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      }),
    );
  }

  private grant(props: ReportingProps): void {
    const role = this.function.role;
    const objects = (prefix: string) => this.bucket.arnForObjects(`${prefix}*`);
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteReports',
        actions: ['s3:PutObject'],
        resources: [objects(REPORT_PREFIX), objects(LATEST_PREFIX), objects(HISTORY_PREFIX)],
      }),
    );
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadReportHistory', actions: ['s3:GetObject'], resources: [objects(HISTORY_PREFIX)] }));
    // Without s3:ListBucket a missing key answers 403 instead of 404 (GetObject "Permissions"): a first
    // run could not tell "no history yet" from "access denied". Limited to the history prefix.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListReportHistory',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${HISTORY_PREFIX}*`] } },
      }),
    );
    // SSE-KMS with a bucket key: PutObject needs GenerateDataKey, GetObject Decrypt (S3 user guide,
    // "Using server-side encryption with AWS KMS keys").
    props.encryptionKey.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadLedger',
        actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
        resources: [props.ledgerTable.tableArn],
      }),
    );
    props.grantAlertPublish(role);
    grantNodeStateRead(role);
    const stack = Stack.of(this);
    for (const prefix of [REPORT_PREFIX, LATEST_PREFIX, HISTORY_PREFIX]) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/${prefix}*]`,
        reason: `Report objects have run-specific keys under ${prefix} (dated, per node); the grant is limited to that prefix of the stack's own report bucket.`,
      });
    }
    for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason: 'Added by the CDK grants of the KMS-encrypted alert topic and dead-letter queue; the resource is the one pipeline key only.',
      });
    }
  }
}
