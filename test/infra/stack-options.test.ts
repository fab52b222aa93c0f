/**
 * Non-default configuration, given the way the CDK CLI gives it (`-c autopilot.<option>=<string>`):
 * the template must follow every option. One synthesized template for the file.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { parseSettings } from '../../lambdas/domain/settings';
import { expectedSendCommandStatements } from './expected-statements';
import { actionsOf, identityStatements, nagViolations, renderArn, resourcesOf, resourcesOfType, synthTemplate } from './synth';

const CLI_CONTEXT = {
  'autopilot.createTrail': 'true',
  'autopilot.trailLogExpirationDays': '90',
  'autopilot.alertEmails': 'oncall@example.com,secops@example.com',
  'autopilot.opsEmails': '["platform@example.com"]',
  'autopilot.triageMaxConcurrency': '12',
  'autopilot.triageBatchSize': '10',
  'autopilot.triageBatchingWindowSeconds': '0',
  'autopilot.triageTimeoutSeconds': '120',
  'autopilot.maxReceiveCount': '3',
  'autopilot.logRetentionDays': '30',
  'autopilot.sweepIntervalMinutes': '30',
  'autopilot.enableNativeComplianceEvents': 'false',
  'autopilot.mode': 'dry-run',
  'autopilot.defaultNodeMode': 'auto',
  'autopilot.tagKey': 'PatchPolicy',
  'autopilot.changeCalendarNames': 'ProductionFreeze,arn:aws:ssm:eu-west-1:999999999999:document/SharedFreeze',
  'autopilot.rerunFailedAssociations': 'true',
};

let template: Template;
beforeAll(() => {
  template = synthTemplate(CLI_CONTEXT).template;
});

it('passes the runtime settings to every function', () => {
  for (const [, fn] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const env = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
    const settings = parseSettings(JSON.parse(env.AUTOPILOT_SETTINGS!), 'template');
    expect(settings).toMatchObject({
      mode: 'dry-run',
      defaultNodeMode: 'auto',
      tagKey: 'PatchPolicy',
      changeCalendarNames: ['ProductionFreeze', 'arn:aws:ssm:eu-west-1:999999999999:document/SharedFreeze'],
      rerunFailedAssociations: true,
    });
  }
});

it('event source mapping, queue and log retention follow the options', () => {
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    BatchSize: 10,
    ScalingConfig: { MaximumConcurrency: 12 },
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
  const [, mapping] = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')[0]!;
  expect(mapping.Properties.MaximumBatchingWindowInSeconds ?? 0).toBe(0);
  template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 720, RedrivePolicy: { maxReceiveCount: 3 } });
  for (const [, group] of resourcesOfType(template, 'AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(30);
  template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(30 minutes)' });
});

it('only the CloudTrail rule when native events are disabled', () => {
  const patterns = resourcesOfType(template, 'AWS::Events::Rule')
    .map(([, rule]) => rule.Properties.EventPattern as { 'detail-type'?: string[] } | undefined)
    .flatMap((pattern) => pattern?.['detail-type'] ?? []);
  expect(patterns.sort()).toEqual(['AWS API Call via CloudTrail', 'EC2 Command Invocation Status-change Notification']);
});

it('creates an encrypted, SSL-only, private, lifecycle-managed trail bucket and a write-only management trail', () => {
  template.hasResourceProperties('AWS::CloudTrail::Trail', {
    IsLogging: true,
    EnableLogFileValidation: true,
    IsMultiRegionTrail: false,
    EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'WriteOnly' }],
  });
  const [[, bucket]] = [resourcesOfType(template, 'AWS::S3::Bucket').find(([id]) => id.startsWith('EventIntake'))!];
  expect(bucket.Properties).toMatchObject({
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
  });
  const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules;
  expect(rules).toContainEqual(expect.objectContaining({ ExpirationInDays: 90, Status: 'Enabled' }));
  const policy = resourcesOfType(template, 'AWS::S3::BucketPolicy').find(([id]) => id.startsWith('EventIntake'))![1];
  expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
});

it('trail bucket: CloudTrail may write only for this stack\'s trail (aws:SourceArn), every other trail is denied', () => {
  const trails = resourcesOfType(template, 'AWS::CloudTrail::Trail');
  expect(trails).toHaveLength(1);
  const [trailId, trail] = trails[0]!;
  expect(trail.Properties.TrailName).toBe('SsmComplianceAutopilot-compliance-calls');
  // The report buckets (Reporting) have their own policies.
  const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy').filter(([id]) => !id.startsWith('Reporting'));
  expect(policies).toHaveLength(1);
  const [policyId, policy] = policies[0]!;
  // The trail is created after its bucket policy (CloudTrail checks the policy on creation).
  expect(template.toJSON().Resources[trailId].DependsOn).toContain(policyId);
  const bucketArn = { 'Fn::GetAtt': [expect.stringMatching(/^EventIntakeTrailBucket/), 'Arn'] };
  const statements = (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
  const fromCloudTrail = statements.filter((statement) => JSON.stringify(statement.Principal) === '{"Service":"cloudtrail.amazonaws.com"}');
  expect(fromCloudTrail).toEqual([
    {
      Sid: 'DenyOtherTrails',
      Effect: 'Deny',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: ['s3:GetBucketAcl', 's3:PutObject'],
      Resource: [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }],
      Condition: {
        StringNotEquals: {
          'aws:SourceArn': {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':trail/SsmComplianceAutopilot-compliance-calls']],
          },
        },
      },
    },
    { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: bucketArn },
    {
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [bucketArn, '/AWSLogs/', { Ref: 'AWS::AccountId' }, '/*']] },
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
    },
  ]);
});

it('subscribes the alert and ops e-mails to their own topics', () => {
  const subscriptions = resourcesOfType(template, 'AWS::SNS::Subscription').map(([, s]) => ({
    endpoint: s.Properties.Endpoint,
    topic: renderArn(s.Properties.TopicArn),
  }));
  expect(subscriptions).toEqual(
    expect.arrayContaining([
      { endpoint: 'oncall@example.com', topic: expect.stringMatching(/AlertTopic/) },
      { endpoint: 'secops@example.com', topic: expect.stringMatching(/AlertTopic/) },
      { endpoint: 'platform@example.com', topic: expect.stringMatching(/OpsTopic/) },
    ]),
  );
  expect(subscriptions).toHaveLength(3);
});

it('defaultNodeMode=auto: SendCommand allowed for nodes tagged auto or untagged; off / notify still denied on both tag keys', () => {
  const send = identityStatements(template).filter(({ statement }) => actionsOf(statement).includes('ssm:SendCommand'));
  for (const role of ['TriageRole', 'SweepRole']) {
    const ofRole = send.filter(({ roles }) => roles.length === 1 && roles[0]!.startsWith(role)).map(({ statement }) => statement);
    expect(ofRole).toEqual(expectedSendCommandStatements('PatchPolicy', 'auto'));
  }
  expect(send).toHaveLength(2 * 5);
  for (const { statement } of send) expect(resourcesOf(statement)).not.toContain('*');
});

it('grants GetCalendarState on the named calendars and StartAssociationsOnce on associations', () => {
  const statements = identityStatements(template).map(({ statement }) => statement);
  const calendar = statements.filter((s) => actionsOf(s).includes('ssm:GetCalendarState'));
  expect(calendar).toHaveLength(2); // triage and sweep
  for (const statement of calendar) {
    expect(resourcesOf(statement).map(renderArn).sort()).toEqual([
      'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:document/ProductionFreeze',
      'arn:aws:ssm:eu-west-1:999999999999:document/SharedFreeze',
    ]);
  }
  const rerun = statements.filter((s) => actionsOf(s).includes('ssm:StartAssociationsOnce'));
  expect(rerun).toHaveLength(2);
  for (const statement of rerun) {
    expect(resourcesOf(statement).map(renderArn)).toEqual(['arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:association/*']);
  }
});

it('cdk-nag passes with the trail, subscriptions and extra grants', () => {
  expect(nagViolations(CLI_CONTEXT)).toEqual([]);
});
