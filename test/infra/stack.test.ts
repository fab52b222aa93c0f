/**
 * Intent of the default deployment: one synthesized template, shared by every test in this file.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_SETTINGS, parseSettings } from '../../lambdas/domain/settings';
import { loadEvent, type EventFixtureName } from '../fixtures/events';
import { matchesEventPattern, type EventPatternJson } from './event-pattern-matcher';
import { actionsOf, identityStatements, nagViolations, renderArn, resourcesOf, resourcesOfType, synthTemplate } from './synth';
import { expectedSendCommandStatements, NODE_ARNS } from './expected-statements';

let template: Template;
beforeAll(() => {
  template = synthTemplate().template;
});

function ruleByDetailType(detailType: string) {
  const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(([, rule]) => {
    const pattern = rule.Properties.EventPattern as { 'detail-type'?: string[] } | undefined;
    return pattern?.['detail-type']?.includes(detailType);
  });
  expect(rules).toHaveLength(1);
  const [logicalId, rule] = rules[0]!;
  return { logicalId, pattern: rule.Properties.EventPattern as EventPatternJson, targets: rule.Properties.Targets as Array<Record<string, unknown>> };
}

function logicalIdOf(type: string, pathFragment: string): string {
  const matches = Object.keys(template.findResources(type)).filter((id) => id.includes(pathFragment));
  expect(matches).toHaveLength(1);
  return matches[0]!;
}

const ALL_FIXTURES: EventFixtureName[] = [
  'putInventoryPatch',
  'putInventorySoftware',
  'putComplianceItemsInstance',
  'putComplianceItemsHashOnly',
  'putComplianceItemsHybrid',
  'nativePatchNonCompliant',
  'nativeAssociationCompliant',
  'commandStatusSuccess',
  'sendCommandCall',
  'ec2RunInstances',
];

function matchingFixtures(pattern: EventPatternJson): EventFixtureName[] {
  return ALL_FIXTURES.filter((name) => matchesEventPattern(pattern, loadEvent(name)));
}

describe('event intake rules', () => {
  it('CloudTrail rule: PutComplianceItems | PutInventory from ssm.amazonaws.com, nothing else', () => {
    const { pattern } = ruleByDetailType('AWS API Call via CloudTrail');
    expect(pattern).toEqual({
      source: ['aws.ssm'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['ssm.amazonaws.com'], eventName: ['PutComplianceItems', 'PutInventory'] },
    });
    expect(matchingFixtures(pattern)).toEqual([
      'putInventoryPatch',
      'putInventorySoftware',
      'putComplianceItemsInstance',
      'putComplianceItemsHashOnly',
      'putComplianceItemsHybrid',
    ]);
  });

  it('native rule: Configuration Compliance State Change of managed instances, both statuses', () => {
    const { pattern } = ruleByDetailType('Configuration Compliance State Change');
    expect(matchingFixtures(pattern)).toEqual(['nativePatchNonCompliant', 'nativeAssociationCompliant']);
    const other = loadEvent('nativePatchNonCompliant');
    other.detail['resource-type'] = 'AWS::EC2::Instance';
    expect(matchesEventPattern(pattern, other)).toBe(false);
  });

  it('delivers both rules to the triage queue, each target with its own DLQ and retry policy', () => {
    const queueId = logicalIdOf('AWS::SQS::Queue', 'TriageQueue');
    const dlqArns = new Set<string>();
    for (const detailType of ['AWS API Call via CloudTrail', 'Configuration Compliance State Change']) {
      const { targets } = ruleByDetailType(detailType);
      expect(targets).toHaveLength(1);
      const target = targets[0]!;
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
      expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 });
      const dlq = renderArn((target.DeadLetterConfig as { Arn: unknown }).Arn);
      expect(dlq).toMatch(/TargetDeadLetterQueue/);
      dlqArns.add(dlq);
      // EventBridge may write to that DLQ only for this rule.
      const dlqId = dlq.replace(/^\$\{(.*)\.Arn\}$/, '$1');
      const dlqPolicy = resourcesOfType(template, 'AWS::SQS::QueuePolicy').find(([, policy]) =>
        (policy.Properties.Queues as Array<{ Ref: string }>).some((queue) => queue.Ref === dlqId),
      );
      const statements = (dlqPolicy![1].Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
      const fromEvents = statements.filter((statement) => JSON.stringify(statement.Principal).includes('events.amazonaws.com'));
      expect(fromEvents).toHaveLength(1);
      expect(fromEvents[0]!.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleByDetailType(detailType).logicalId, 'Arn'] } } });
    }
    expect(dlqArns.size).toBe(2);
  });

  it('lets EventBridge send to the triage queue only from these rules', () => {
    const queueId = logicalIdOf('AWS::SQS::Queue', 'TriageQueue');
    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy').filter(([, policy]) =>
      (policy.Properties.Queues as Array<{ Ref: string }>).some((queue) => queue.Ref === queueId),
    );
    const statements = policies.flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement);
    const eventsStatements = statements.filter((s) => JSON.stringify(s.Principal).includes('events.amazonaws.com'));
    expect(eventsStatements).toHaveLength(2);
    const ruleIds = eventsStatements.map((statement) => {
      expect(statement.Action).toBe('sqs:SendMessage');
      return renderArn((statement.Condition as { ArnEquals: Record<string, unknown> }).ArnEquals['aws:SourceArn']);
    });
    expect(ruleIds.sort()).toEqual([
      `\${${ruleByDetailType('AWS API Call via CloudTrail').logicalId}.Arn}`,
      `\${${ruleByDetailType('Configuration Compliance State Change').logicalId}.Arn}`,
    ].sort());
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('creates no trail by default (reuses the account trail)', () => {
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    // The only buckets are the report bucket and its access-log bucket (Reporting).
    expect(resourcesOfType(template, 'AWS::S3::Bucket').map(([id]) => id).filter((id) => !id.startsWith('Reporting'))).toEqual([]);
  });
});

describe('triage queue and event source mapping', () => {
  it('queue: customer-managed KMS, DLQ after 5 receives, visibility 6x the function timeout', () => {
    const keyId = logicalIdOf('AWS::KMS::Key', 'PipelineKey');
    const dlqId = logicalIdOf('AWS::SQS::Queue', 'TriageDeadLetterQueue');
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      VisibilityTimeout: 1800,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('^Reads nodes'), Timeout: 300 });
  });

  it('every queue (DLQs included) is KMS-encrypted and SSL-only', () => {
    const queues = resourcesOfType(template, 'AWS::SQS::Queue');
    // triage queue + its DLQ, two intake target DLQs, follow-up, sweep and report DLQs
    expect(queues).toHaveLength(7);
    const keyId = logicalIdOf('AWS::KMS::Key', 'PipelineKey');
    const sslOnly = new Set(
      resourcesOfType(template, 'AWS::SQS::QueuePolicy')
        .filter(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument).includes('aws:SecureTransport'))
        .flatMap(([, policy]) => (policy.Properties.Queues as Array<{ Ref: string }>).map((queue) => queue.Ref)),
    );
    for (const [id, queue] of queues) {
      expect(queue.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      expect(sslOnly.has(id)).toBe(true);
    }
  });

  it('event source mapping: batch 100, window 30 s, maxConcurrency 5, partial batch failures', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf('AWS::SQS::Queue', 'TriageQueue'), 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^TriageFunction') },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 30,
      ScalingConfig: { MaximumConcurrency: 5 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});

describe('topics and key', () => {
  const ref = (logicalId: string) => ({ Ref: logicalId });
  const ALARMS_OF_THIS_ACCOUNT = {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']],
  };
  const FROM_ALARMS_OF_THIS_ACCOUNT = { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': ALARMS_OF_THIS_ACCOUNT } };
  const roleArn = (prefix: string) => ({ 'Fn::GetAtt': [logicalIdOf('AWS::IAM::Role', prefix), 'Arn'] });
  const sslOnly = (topicId: string) => ({
    Sid: 'AllowPublishThroughSSLOnly',
    Effect: 'Deny',
    Principal: '*',
    Action: 'sns:Publish',
    Resource: ref(topicId),
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
  function topicPolicyStatements(topicId: string): unknown[] {
    const policies = resourcesOfType(template, 'AWS::SNS::TopicPolicy').filter(([, policy]) =>
      (policy.Properties.Topics as Array<{ Ref: string }>).some((topic) => topic.Ref === topicId),
    );
    expect(policies).toHaveLength(1);
    return (policies[0]![1].Properties.PolicyDocument as { Statement: unknown[] }).Statement;
  }

  it('key: rotation on; the account through IAM, EventBridge for the queues, CloudWatch alarms of this account only', () => {
    const [, key] = resourcesOfType(template, 'AWS::KMS::Key')[0]!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect((key.Properties.KeyPolicy as { Statement: unknown[] }).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'AllowEventBridgeToEncryptForQueues',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
      },
      {
        Sid: 'AllowCloudWatchAlarmsToPublishToTopics',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: FROM_ALARMS_OF_THIS_ACCOUNT,
      },
    ]);
  });

  it('alert and ops topics are KMS-encrypted with that key', () => {
    const keyId = logicalIdOf('AWS::KMS::Key', 'PipelineKey');
    const topics = resourcesOfType(template, 'AWS::SNS::Topic');
    expect(topics.map(([id]) => id).sort()).toEqual([expect.stringMatching(/AlertTopic/), expect.stringMatching(/OpsTopic/)]);
    for (const [, topic] of topics) expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('ops topic: SSL only, and CloudWatch alarms of this account and region may publish (the SSL policy replaced SNS\'s default)', () => {
    const opsTopic = logicalIdOf('AWS::SNS::Topic', 'OpsTopic');
    expect(topicPolicyStatements(opsTopic)).toEqual([
      sslOnly(opsTopic),
      {
        Sid: 'AllowCloudWatchAlarmsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: ref(opsTopic),
        Condition: FROM_ALARMS_OF_THIS_ACCOUNT,
      },
    ]);
  });

  it('alert topic: SSL only; the four function roles may publish, every other principal is denied', () => {
    const alertTopic = logicalIdOf('AWS::SNS::Topic', 'AlertTopic');
    expect(topicPolicyStatements(alertTopic)).toEqual([
      sslOnly(alertTopic),
      {
        Sid: 'AllowPipelineRolesToPublish',
        Effect: 'Allow',
        Principal: { AWS: [roleArn('FollowUpRole'), roleArn('ReportingFunctionRole'), roleArn('SweepRole'), roleArn('TriageRole')] },
        Action: 'sns:Publish',
        Resource: ref(alertTopic),
      },
      {
        Sid: 'DenyPublishByAnyoneElse',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: ref(alertTopic),
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [roleArn('TriageRole'), roleArn('FollowUpRole'), roleArn('SweepRole'), roleArn('ReportingFunctionRole')] } },
      },
    ]);
    // ...and each of them holds the matching IAM grant on that topic.
    for (const role of ['TriageRole', 'FollowUpRole', 'SweepRole', 'ReportingFunctionRole']) {
      const publish = identityStatements(template).filter(({ roles, statement }) => roles[0]!.startsWith(role) && actionsOf(statement).includes('sns:Publish'));
      expect(publish.map(({ statement }) => statement.Resource)).toEqual([ref(alertTopic)]);
    }
  });

  it('every role granted sns:Publish on the alert topic is also excepted from its deny (no publisher silently refused)', () => {
    const alertTopic = logicalIdOf('AWS::SNS::Topic', 'AlertTopic');
    const granted = identityStatements(template)
      .filter(({ statement }) => statement.Effect === 'Allow' && actionsOf(statement).includes('sns:Publish') && JSON.stringify(statement.Resource) === JSON.stringify(ref(alertTopic)))
      .flatMap(({ roles }) => roles)
      .sort();
    expect(granted.length).toBeGreaterThan(0);
    const deny = (topicPolicyStatements(alertTopic) as Array<{ Sid?: string; Condition?: { ArnNotEquals: { 'aws:PrincipalArn': Array<{ 'Fn::GetAtt': [string, string] }> } } }>).find(
      (statement) => statement.Sid === 'DenyPublishByAnyoneElse',
    )!;
    const excepted = deny.Condition!.ArnNotEquals['aws:PrincipalArn'].map((arn) => arn['Fn::GetAtt'][0]).sort();
    expect(excepted).toEqual(granted);
  });
});

describe('functions', () => {
  const SERVICES = ['triage', 'follow-up', 'sweep', 'report'];

  it('four Node.js 22 arm64 functions, each with its own role and log group (90 days)', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(4);
    const roles = new Set<string>();
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Handler).toBe('index.handler');
      roles.add(renderArn(fn.Properties.Role));
    }
    expect(roles.size).toBe(4);
    const logGroups = resourcesOfType(template, 'AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(5);
    for (const [, group] of logGroups) expect(group.Properties.RetentionInDays).toBe(90);
    // The fifth: output of the RunPatchBaseline commands, under the name the remediator sends.
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/ssm-compliance-autopilot/SsmComplianceAutopilot/commands', RetentionInDays: 90 });
  });

  it('environment follows the common contract', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    const services = functions.map(([, fn]) => {
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(parseSettings(JSON.parse(env.AUTOPILOT_SETTINGS as string), 'template')).toEqual(DEFAULT_SETTINGS);
      expect(env.ALERT_TOPIC_ARN).toEqual({ Ref: logicalIdOf('AWS::SNS::Topic', 'AlertTopic') });
      expect(env.LEDGER_TABLE_NAME).toEqual({ Ref: logicalIdOf('AWS::DynamoDB::Table', 'RemediationLedger') });
      expect(env.EVENT_BUS_NAME).toBe('default');
      expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe('SsmComplianceAutopilot/SsmComplianceAutopilot');
      expect(env.COMMAND_LOG_GROUP).toBe('/ssm-compliance-autopilot/SsmComplianceAutopilot/commands');
      // The report function only reads: no own-call filter needed.
      if (env.POWERTOOLS_SERVICE_NAME === 'report') return env.POWERTOOLS_SERVICE_NAME;
      const ownRoles = env.OWN_ROLE_NAMES as { 'Fn::Join': [string, Array<{ Ref: string }>] };
      expect(ownRoles['Fn::Join'][0]).toBe(',');
      expect(ownRoles['Fn::Join'][1].map((ref) => ref.Ref)).toEqual([
        expect.stringMatching(/^TriageRole/),
        expect.stringMatching(/^FollowUpRole/),
        expect.stringMatching(/^SweepRole/),
      ]);
      return env.POWERTOOLS_SERVICE_NAME;
    });
    expect(services.sort()).toEqual([...SERVICES].sort());
  });

  it('follow-up rule: AWS-RunPatchBaseline command status changes, with DLQ and retries', () => {
    const { pattern, targets } = ruleByDetailType('EC2 Command Invocation Status-change Notification');
    expect(pattern).toEqual({
      source: ['aws.ssm'],
      'detail-type': ['EC2 Command Invocation Status-change Notification'],
      detail: { 'document-name': ['AWS-RunPatchBaseline'], status: ['Success', 'Failed', 'TimedOut', 'Cancelled'] },
    });
    expect(matchingFixtures(pattern)).toEqual(['commandStatusSuccess']);
    const inProgress = loadEvent('commandStatusSuccess');
    inProgress.detail.status = 'InProgress';
    expect(matchesEventPattern(pattern, inProgress)).toBe(false);
    const otherDocument = loadEvent('commandStatusSuccess');
    otherDocument.detail['document-name'] = 'AWS-RunShellScript';
    expect(matchesEventPattern(pattern, otherDocument)).toBe(false);
    expect(targets[0]).toMatchObject({
      Arn: { 'Fn::GetAtt': [expect.stringMatching(/^FollowUpFunction/), 'Arn'] },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^FollowUpDeadLetterQueue/), 'Arn'] } },
      RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'follow-up' }) },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FollowUpDeadLetterQueue'), 'Arn'] } },
    });
  });

  it('sweep runs every 15 minutes, with a DLQ for missed runs', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SweepFunction'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SweepDeadLetterQueue'), 'Arn'] } },
        }),
      ],
    });
  });
});

describe('remediation ledger table', () => {
  it('pk/sk strings, on-demand, PITR, KMS, TTL expiresAt, retained', () => {
    const [[, table]] = [resourcesOfType(template, 'AWS::DynamoDB::Table')[0]!];
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [logicalIdOf('AWS::KMS::Key', 'PipelineKey'), 'Arn'] } },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(table.DeletionPolicy).toBe('Retain');
  });
});

describe('IAM scope', () => {
  const sendCommand = () => identityStatements(template).filter(({ statement }) => actionsOf(statement).includes('ssm:SendCommand'));

  it('never grants ssm:SendCommand (or ssm:*) on "*"', () => {
    for (const { statement } of identityStatements(template)) {
      if (resourcesOf(statement).includes('*')) {
        expect(actionsOf(statement).filter((action) => action === 'ssm:SendCommand' || action === 'ssm:*' || action === '*')).toEqual([]);
      }
    }
  });

  it('SendCommand: the AWS-RunPatchBaseline document; nodes tagged auto only; off / notify denied on both tag keys', () => {
    const statements = sendCommand();
    expect(statements.every(({ roles }) => roles.length === 1 && /^(Triage|Sweep)Role/.test(roles[0]!))).toBe(true);
    for (const role of ['TriageRole', 'SweepRole']) {
      const ofRole = statements.filter(({ roles }) => roles[0]!.startsWith(role)).map(({ statement }) => statement);
      expect(ofRole).toEqual(expectedSendCommandStatements('ComplianceAutopilot', 'notify'));
    }
  });

  it('node-state reads that take node ARNs are scoped to the instances and managed instances of the account', () => {
    for (const role of ['TriageRole', 'SweepRole']) {
      const reads = identityStatements(template)
        .filter(({ roles }) => roles[0]!.startsWith(role))
        .map(({ statement }) => statement)
        .filter((statement) => statement.Sid === 'ReadStateOfNodes' || statement.Sid === 'ReadNodeState');
      expect(reads).toEqual([
        {
          Sid: 'ReadStateOfNodes',
          Effect: 'Allow',
          Action: ['ssm:DescribeInstanceAssociationsStatus', 'ssm:DescribeInstancePatchStates', 'ssm:DescribeInstancePatches'],
          Resource: expect.any(Array),
        },
        {
          Sid: 'ReadNodeState',
          Effect: 'Allow',
          Action: ['ssm:DescribeInstanceInformation', 'ssm:GetCommandInvocation', 'ssm:ListCommandInvocations', 'ssm:ListComplianceItems', 'ssm:ListResourceComplianceSummaries'],
          Resource: '*',
        },
      ]);
      expect(resourcesOf(reads[0]!).map(renderArn)).toEqual(NODE_ARNS);
    }
    // No instance-scoped read is granted on "*" anywhere.
    for (const { statement } of identityStatements(template)) {
      if (resourcesOf(statement).includes('*')) expect(actionsOf(statement).filter((action) => action.startsWith('ssm:DescribeInstancePatch') || action === 'ssm:DescribeInstanceAssociationsStatus')).toEqual([]);
    }
  });

  it('follow-up may read command invocations but not send commands or read node state', () => {
    const followUp = identityStatements(template).filter(({ roles }) => roles.some((role) => role.startsWith('FollowUpRole')));
    const actions = followUp.flatMap(({ statement }) => actionsOf(statement));
    expect(actions).toEqual(expect.arrayContaining(['ssm:GetCommandInvocation', 'sns:Publish', 'events:PutEvents']));
    expect(actions).not.toContain('ssm:SendCommand');
    expect(actions).not.toContain('ssm:DescribeInstancePatches');
  });

  it('no calendar or association grants by default; events:PutEvents on the default bus only', () => {
    const all = identityStatements(template).map(({ statement }) => statement);
    expect(all.flatMap(actionsOf)).not.toContain('ssm:GetCalendarState');
    expect(all.flatMap(actionsOf)).not.toContain('ssm:StartAssociationsOnce');
    for (const statement of all.filter((s) => actionsOf(s).includes('events:PutEvents'))) {
      expect(resourcesOf(statement).map(renderArn)).toEqual(['arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default']);
    }
  });
});

describe('operations', () => {
  const opsTopic = () => ({ Ref: logicalIdOf('AWS::SNS::Topic', 'OpsTopic') });

  it('alarms on every DLQ depth, each function error, malformed events, queue age and the mode parameter, to the ops topic', () => {
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    // The mode parameter's fallback alarm is asserted in live-mode.test.ts.
    expect(alarms).toHaveLength(6 + 4 + 1 + 1 + 1);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([opsTopic()]);
      expect(alarm.OKActions).toEqual([opsTopic()]);
    }
    const dlqAlarms = alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms).toHaveLength(6);
    for (const alarm of dlqAlarms) expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarms.filter((a) => a.MetricName === 'Errors' && a.Namespace === 'AWS/Lambda')).toHaveLength(4);
    expect(alarms).toContainEqual(
      expect.objectContaining({
        MetricName: 'MalformedEvents',
        Namespace: 'SsmComplianceAutopilot/SsmComplianceAutopilot',
        Dimensions: [{ Name: 'service', Value: 'triage' }],
        Statistic: 'Sum',
        Threshold: 0,
      }),
    );
    expect(alarms).toContainEqual(
      expect.objectContaining({ MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 1800, Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf('AWS::SQS::Queue', 'TriageQueue'), 'QueueName'] } }] }),
    );
  });

  it('dashboard shows queue, errors, malformed events, commands sent and how many nodes cost SSM reads', () => {
    const [, dashboard] = resourcesOfType(template, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const text of ['ApproximateAgeOfOldestMessage', 'Errors', 'Duration', 'ConcurrentExecutions', 'MalformedEvents', 'CommandsSent', 'QuietNodesSkipped', 'UnchangedNodes']) {
      expect(body).toContain(text);
    }
  });
});

describe('cdk-nag', () => {
  it('AwsSolutions passes: every finding fixed or acknowledged with a reason', () => {
    expect(nagViolations()).toEqual([]);
  });
});
