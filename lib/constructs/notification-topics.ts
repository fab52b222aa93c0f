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
 */
export class NotificationTopics extends Construct {
  public readonly alertTopic: sns.Topic;
  public readonly opsTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: NotificationTopicsProps) {
    super(scope, id);
    this.alertTopic = new sns.Topic(this, 'AlertTopic', {
      displayName: 'SSM compliance autopilot alerts',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    this.opsTopic = new sns.Topic(this, 'OpsTopic', {
      displayName: 'SSM compliance autopilot operations',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    for (const email of props.alertEmails ?? []) {
      this.alertTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    for (const email of props.opsEmails ?? []) {
      this.opsTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }
}
