import { Duration, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  /** Key encrypting the messages (EventBridge and Lambda must be allowed to use it). */
  readonly encryptionKey: kms.IKey;
  /** What the queue collects, for the cdk-nag acknowledgement and the console. */
  readonly purpose: string;
}

/**
 * A dead-letter queue: KMS-encrypted, SSL-only, keeps messages the SQS maximum of 14 days so a
 * human has time to look and redrive.
 */
export class DeadLetterQueue extends Construct {
  public readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself the dead-letter queue for ${props.purpose}; its depth is alarmed.`,
    });
  }
}
