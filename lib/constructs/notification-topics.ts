import { ArnFormat, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationTopicsProps {
  /** Customer-managed key encrypting both topics. */
  readonly encryptionKey: kms.IKey;
  /** Subscribed to the alert topic (on-call: node diagnoses, exhausted remediations, failed commands). @default [] */
  readonly alertEmails?: readonly string[];
  /** Subscribed to the ops topic (the pipeline's own CloudWatch alarms). @default [] */
  readonly opsEmails?: readonly string[];
}

/**
 * Two topics so on-call alerts about nodes and alarms about the pipeline itself reach different
 * people and filter policies: `alertTopic` (Lambdas publish) and `opsTopic` (CloudWatch alarms).
 *
 * `enforceSSL` gives each topic a resource policy holding only the SSL deny, which replaces SNS's
 * default policy: every publisher then needs an explicit allow here or in its own IAM policy.
 *  - ops topic: CloudWatch alarms of this account and region (a service principal has no IAM policy
 *    of ours, so the topic policy is the only place it can be allowed);
 *  - alert topic: only the roles given to `grantAlertPublish`; every other principal is denied, so no
 *    one else in the account can forge an alert, whatever their IAM policies allow.
 */
export class NotificationTopics extends Construct {
  /** Publish through `grantAlertPublish` only: the topic policy denies every other principal. */
  public readonly alertTopic: sns.Topic;
  public readonly opsTopic: sns.Topic;
  private readonly alertPublishers: iam.IRole[] = [];
  private alertPublishersStatement?: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: NotificationTopicsProps) {
    super(scope, id);
    this.alertTopic = new sns.Topic(this, 'AlertTopic', {
      // The e-mail sender name: with the stack name, two stacks' mails are told apart.
      displayName: `SSM compliance autopilot alerts (${Stack.of(this).stackName})`,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    this.opsTopic = new sns.Topic(this, 'OpsTopic', {
      displayName: `SSM compliance autopilot operations (${Stack.of(this).stackName})`,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    const stack = Stack.of(this);
    // SNS developer guide, "Example cases for Amazon SNS access control" (CloudWatch alarms publishing
    // to a topic): service principal cloudwatch.amazonaws.com, narrowed by aws:SourceArn to alarms and
    // by aws:SourceAccount to this account (confused-deputy protection).
    this.opsTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.opsTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': alarmArnPattern(stack) },
        },
      }),
    );
    for (const email of props.alertEmails ?? []) {
      this.alertTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    for (const email of props.opsEmails ?? []) {
      this.opsTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }

  /**
   * Lets `role` publish alerts: its IAM grant (sns:Publish and the key), an allow in the topic policy,
   * and an exception in the topic policy's deny of every other principal.
   */
  public grantAlertPublish(role: iam.IRole): void {
    this.alertTopic.grantPublish(role);
    this.alertPublishers.push(role);
    if (!this.alertPublishersStatement) {
      this.alertPublishersStatement = new iam.PolicyStatement({
        sid: 'AllowPipelineRolesToPublish',
        actions: ['sns:Publish'],
        resources: [this.alertTopic.topicArn],
      });
      this.alertTopic.addToResourcePolicy(this.alertPublishersStatement);
      this.alertTopic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyPublishByAnyoneElse',
          effect: iam.Effect.DENY,
          principals: [new iam.StarPrincipal()],
          actions: ['sns:Publish'],
          resources: [this.alertTopic.topicArn],
          // aws:PrincipalArn of an assumed-role session is the role's ARN (IAM global condition keys).
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.alertPublishers.map((publisher) => publisher.roleArn) }) } },
        }),
      );
    }
    this.alertPublishersStatement.addPrincipals(new iam.ArnPrincipal(role.roleArn));
  }
}

/** Every CloudWatch alarm of the stack's account and region. */
export function alarmArnPattern(stack: Stack): string {
  return stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}
