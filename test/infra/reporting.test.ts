/**
 * Intent of the reporting part of the stack: the report bucket, its schedule and the report
 * function's least-privilege grants. One template for the defaults, one for the overrides.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { actionsOf, identityStatements, renderArn, resourcesOf, resourcesOfType, synthTemplate, type PolicyStatementJson } from './synth';

let template: Template;
beforeAll(() => {
  template = synthTemplate().template;
});

const idOf = (type: string, fragment: string) => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.includes(fragment));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

function reportStatements(): PolicyStatementJson[] {
  const role = idOf('AWS::IAM::Role', 'ReportingFunctionRole');
  return identityStatements(template).filter(({ roles }) => roles.includes(role)).map(({ statement }) => statement);
}

describe('report bucket', () => {
  it('SSE-KMS with the pipeline key and a bucket key, private, owner-enforced, access-logged, expiring after 400 days, retained', () => {
    const [, bucket] = resourcesOfType(template, 'AWS::S3::Bucket').find(([id]) => id.startsWith('ReportingReportBucket'))!;
    const logBucket = idOf('AWS::S3::Bucket', 'ReportingAccessLogBucket');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [idOf('AWS::KMS::Key', 'PipelineKey'), 'Arn'] } } },
        ],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logBucket }, LogFilePrefix: 'report-bucket/' },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 400, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })] },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('both buckets deny non-TLS access; the log bucket lets only S3 log delivery write, from this bucket and account', () => {
    const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy').filter(([id]) => id.startsWith('Reporting'));
    expect(policies).toHaveLength(2);
    for (const [, policy] of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
    const logPolicy = policies.find(([id]) => id.includes('AccessLog'))![1];
    const statements = (logPolicy.Properties.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement;
    const delivery = statements.find((statement) => JSON.stringify(statement.Principal).includes('logging.s3.amazonaws.com'))!;
    expect(actionsOf(delivery)).toEqual(['s3:PutObject']);
    expect(JSON.stringify(delivery.Condition)).toContain(idOf('AWS::S3::Bucket', 'ReportingReportBucket'));
  });
});

describe('report schedule and function', () => {
  it('runs the report function daily at 06:00 UTC with retries and a dead-letter queue', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(([id]) => id.startsWith('ReportingSchedule'));
    expect(rules).toHaveLength(1);
    const rule = rules[0]![1];
    expect(rule.Properties.ScheduleExpression).toBe('cron(0 6 * * ? *)');
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [idOf('AWS::Lambda::Function', 'ReportingFunction'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'ReportingDeadLetterQueue'), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 },
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      MemorySize: 1024,
      Environment: { Variables: { REPORT_BUCKET_NAME: { Ref: idOf('AWS::S3::Bucket', 'ReportingReportBucket') }, POWERTOOLS_SERVICE_NAME: 'report' } },
    });
  });
});

describe('report function grants (least privilege)', () => {
  const bucketArn = () => `\${${idOf('AWS::S3::Bucket', 'ReportingReportBucket')}.Arn}`;

  it('S3: PutObject under reports/, latest/, history/ only; GetObject and ListBucket on history/ only; nothing else', () => {
    const s3 = reportStatements().filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));
    const byAction = Object.fromEntries(s3.map((statement) => [actionsOf(statement).join(','), { resources: resourcesOf(statement).map(renderArn).sort(), condition: statement.Condition }]));
    expect(byAction).toEqual({
      's3:PutObject': { resources: [`${bucketArn()}/history/*`, `${bucketArn()}/latest/*`, `${bucketArn()}/reports/*`], condition: undefined },
      's3:GetObject': { resources: [`${bucketArn()}/history/*`], condition: undefined },
      's3:ListBucket': { resources: [bucketArn()], condition: { StringLike: { 's3:prefix': ['history/*'] } } },
    });
  });

  it('DynamoDB: reads the ledger only; SNS: publishes to the alert topic only; SSM: reads, never SendCommand', () => {
    const statements = reportStatements();
    const actions = statements.flatMap(actionsOf);
    const dynamo = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
    expect(dynamo.flatMap(actionsOf).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
    expect(dynamo.flatMap(resourcesOf).map(renderArn)).toEqual([`\${${idOf('AWS::DynamoDB::Table', 'RemediationLedger')}.Arn}`]);
    const publish = statements.filter((statement) => actionsOf(statement).includes('sns:Publish'));
    expect(publish.flatMap(resourcesOf)).toEqual([{ Ref: idOf('AWS::SNS::Topic', 'AlertTopic') }]);
    expect(actions).not.toContain('ssm:SendCommand');
    expect(actions).not.toContain('ssm:StartAssociationsOnce');
    expect(actions).not.toContain('events:PutEvents');
    expect(actions).toEqual(expect.arrayContaining(['ssm:DescribeInstanceInformation', 'ssm:DescribeInstancePatchStates', 'ssm:DescribeInstancePatches', 'ssm:ListResourceComplianceSummaries']));
    expect(actions.filter((action) => /^(s3|dynamodb|sns|ssm|kms|logs|sqs):\*$|^\*$/.test(action))).toEqual([]);
  });

  it('KMS: the pipeline key only', () => {
    const kms = reportStatements().filter((statement) => actionsOf(statement).some((action) => action.startsWith('kms:')));
    expect(kms.length).toBeGreaterThan(0);
    for (const statement of kms) expect(resourcesOf(statement).map(renderArn)).toEqual([`\${${idOf('AWS::KMS::Key', 'PipelineKey')}.Arn}`]);
    expect(kms.flatMap(actionsOf)).toEqual(expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt']));
  });
});

describe('options', () => {
  it('reportSchedule and reportRetentionDays reach the rule and the lifecycle; reports=false removes it all', () => {
    const custom = synthTemplate({ 'autopilot.reportSchedule': 'rate(12 hours)', 'autopilot.reportRetentionDays': '90' }).template;
    custom.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(12 hours)' });
    const buckets = resourcesOfType(custom, 'AWS::S3::Bucket');
    for (const [, bucket] of buckets) {
      expect(bucket.Properties.LifecycleConfiguration).toMatchObject({ Rules: [expect.objectContaining({ ExpirationInDays: 90 })] });
    }
    const off = synthTemplate({ 'autopilot.reports': 'false' }).template;
    expect(resourcesOfType(off, 'AWS::S3::Bucket')).toEqual([]);
    expect(resourcesOfType(off, 'AWS::Lambda::Function')).toHaveLength(3);
  });
});
