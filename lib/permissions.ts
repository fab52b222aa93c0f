/**
 * IAM grants the functions need for SSM, each in one place and as narrow as the service allows.
 * No statement here (or anywhere) grants ssm:SendCommand on "*".
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { AutopilotSettings } from '../lambdas/domain/settings';

/** The only document the pipeline ever sends. */
export const PATCH_DOCUMENT_NAME = 'AWS-RunPatchBaseline';

/**
 * Read calls of the node state reader and the follow-up. These Describe/List/Get calls accept no
 * resource ARN in IAM (Service Authorization Reference, "Actions defined by AWS Systems Manager":
 * no resource type listed), so "*" is the only possible resource.
 */
export const NODE_STATE_READ_ACTIONS = [
  'ssm:DescribeInstanceInformation',
  'ssm:DescribeInstancePatchStates',
  'ssm:DescribeInstancePatches',
  'ssm:ListComplianceItems',
  'ssm:ListResourceComplianceSummaries',
  'ssm:DescribeInstanceAssociationsStatus',
  'ssm:ListCommandInvocations',
  'ssm:GetCommandInvocation',
] as const;

export function grantNodeStateRead(role: iam.Role): void {
  role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadNodeState', actions: [...NODE_STATE_READ_ACTIONS], resources: ['*'] }));
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: `Read-only SSM calls (${NODE_STATE_READ_ACTIONS.join(', ')}) support no resource-level permissions; "*" is the only valid resource.`,
  });
  // The reader lists tags of hybrid nodes only (ListTagsForResource, ResourceType ManagedInstance).
  const stack = Stack.of(role);
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ReadHybridNodeTags',
      actions: ['ssm:ListTagsForResource'],
      resources: [stack.formatArn({ service: 'ssm', resource: 'managed-instance', resourceName: '*' })],
    }),
  );
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:managed-instance/*]',
    reason: 'Tags are read for whichever hybrid node an event names; the grant is limited to managed instances of this account and region.',
  });
}

/** What the follow-up reads of a finished command: its invocation and output excerpt. */
export function grantCommandOutputRead(role: iam.Role): void {
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ReadCommandInvocations',
      actions: ['ssm:GetCommandInvocation', 'ssm:ListCommandInvocations'],
      resources: ['*'],
    }),
  );
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ssm:GetCommandInvocation / ssm:ListCommandInvocations support no resource-level permissions.',
  });
}

/**
 * ssm:SendCommand of AWS-RunPatchBaseline. SendCommand is authorised against the document AND
 * every target node, so the grant names the AWS-owned document (no account in its ARN) and the
 * node ARNs. Unless untagged nodes are in `auto` scope, the node statement also requires the
 * opt-in tag: defence in depth, an untagged node cannot receive a command even if the policy
 * code were wrong. (SSM user guide, "Restricting Run Command access based on tags".)
 */
export function grantPatchCommand(role: iam.Role, settings: Pick<AutopilotSettings, 'tagKey' | 'defaultNodeMode'>): void {
  const stack = Stack.of(role);
  const documentArn = stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: PATCH_DOCUMENT_NAME });
  role.addToPolicy(new iam.PolicyStatement({ sid: 'SendPatchDocument', actions: ['ssm:SendCommand'], resources: [documentArn] }));

  const nodeArns = [
    stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' }),
    stack.formatArn({ service: 'ssm', resource: 'managed-instance', resourceName: '*' }),
  ];
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'SendCommandToNodes',
      actions: ['ssm:SendCommand'],
      resources: nodeArns,
      // The policy code compares tag values case-insensitively; so does this condition.
      conditions:
        settings.defaultNodeMode === 'auto' ? undefined : { StringEqualsIgnoreCase: { [`ssm:resourceTag/${settings.tagKey}`]: 'auto' } },
    }),
  );
  const reason =
    settings.defaultNodeMode === 'auto'
      ? 'SendCommand must name every target node; with defaultNodeMode=auto any node of this account and region may be patched. The document is pinned to AWS-RunPatchBaseline by a separate statement.'
      : `SendCommand must name every target node; the statement only matches nodes tagged ${settings.tagKey}=auto, and the document is pinned to AWS-RunPatchBaseline.`;
  for (const arn of ['arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*', 'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:managed-instance/*']) {
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${arn}]`, reason });
  }
}

/** ssm:GetCalendarState on the configured Change Calendars only (names become document ARNs). */
export function grantCalendarRead(role: iam.Role, calendarNamesOrArns: readonly string[]): void {
  if (calendarNamesOrArns.length === 0) return;
  const stack = Stack.of(role);
  const resources = calendarNamesOrArns.map((nameOrArn) =>
    nameOrArn.startsWith('arn:')
      ? nameOrArn
      : stack.formatArn({ service: 'ssm', resource: 'document', resourceName: nameOrArn, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
  );
  role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadChangeCalendars', actions: ['ssm:GetCalendarState'], resources }));
}

/** ssm:StartAssociationsOnce, only when settings allow re-running failed associations. */
export function grantAssociationRerun(role: iam.Role): void {
  const stack = Stack.of(role);
  const associations = stack.formatArn({ service: 'ssm', resource: 'association', resourceName: '*' });
  role.addToPolicy(new iam.PolicyStatement({ sid: 'RerunAssociations', actions: ['ssm:StartAssociationsOnce'], resources: [associations] }));
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:association/*]',
    reason: 'Association IDs are discovered at runtime from failing nodes; the grant is limited to associations of this account and region and enabled only with rerunFailedAssociations.',
  });
}

/** events:PutEvents on one bus (lifecycle events). */
export function grantPutEvents(role: iam.Role, busName: string): void {
  const stack = Stack.of(role);
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'PublishLifecycleEvents',
      actions: ['events:PutEvents'],
      resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: busName })],
    }),
  );
}
