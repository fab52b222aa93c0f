import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Key schema the ledger adapter (`lambdas/adapters/dynamo-ledger.ts`) is written against. */
export const LEDGER_KEY_SCHEMA = { partitionKey: 'pk', sortKey: 'sk', timeToLiveAttribute: 'expiresAt' } as const;

export interface RemediationLedgerTableProps {
  readonly encryptionKey: kms.IKey;
}

/**
 * The remediation ledger: locks, attempts, deferrals, alert fingerprints. On-demand (traffic
 * follows maintenance windows), point-in-time recovery, retained on stack deletion because it is
 * the memory that keeps the pipeline from repeating itself.
 */
export class RemediationLedgerTable extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: RemediationLedgerTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: LEDGER_KEY_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: LEDGER_KEY_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: LEDGER_KEY_SCHEMA.timeToLiveAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
