/**
 * IAM grants the functions need for SSM, each in one place and as narrow as the service allows.
 * No statement here (or anywhere) grants ssm:SendCommand on "*".
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { AutopilotSettings } from '../lambdas/domain/settings';

/** Spellings of the opt-in value the SendCommand allow accepts (any case: IgnoreCase; IAM cannot trim). */
export const OPT_IN_TAG_VALUES = ['auto', ' auto', 'auto ', ' auto '] as const;

/** The only document the pipeline ever sends. */
export const PATCH_DOCUMENT_NAME = 'AWS-RunPatchBaseline';

/**
 * Values of the scope tag that must never receive a command, whatever the settings: `off` and `notify`,
 * bare and with one surrounding space (any case: IgnoreCase; IAM cannot trim), as the code reads them.
 */
export const OPTED_OUT_TAG_VALUES = (['off', 'notify'] as const).flatMap((value) => [value, ` ${value}`, `${value} `, ` ${value} `]);

/**
 * The tag condition keys SendCommand evaluates on instance and managed-instance resources (Service
 * Authorization Reference, "Actions defined by AWS Systems Manager", SendCommand): both are checked, so
 * a deny holds whichever one SSM fills in for a node.
 */
export const SCOPE_TAG_CONDITION_KEYS = ['ssm:resourceTag', 'aws:ResourceTag'] as const;

/** Every EC2 instance and every hybrid (managed) instance of this account and region. */
function nodeArnPatterns(stack: Stack): string[] {
  return [
    stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' }),
    stack.formatArn({ service: 'ssm', resource: 'managed-instance', resourceName: '*' }),
  ];
}

/** The same patterns as cdk-nag prints them in an IAM5 finding ID. */
const NODE_ARN_FINDINGS = [
  'arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*',
  'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:managed-instance/*',
] as const;

/**
 * Several statements of one role can share a wildcard resource ("*" for the unscoped reads, the node
 * ARN patterns for reads, hybrid tags and SendCommand), and the acknowledgement recorded last for a
 * finding is the one that counts (aws-cdk-lib collects them per rule and construct path, later
 * entries overwrite earlier ones). So each call re-acknowledges with every reason given so far for
 * that role and finding: the one that counts names all of them. Use it for every IAM5 resource
 * acknowledgement on a function role.
 */
const wildcardReasons = new WeakMap<iam.Role, Map<string, string[]>>();

export function acknowledgeResourceWildcard(role: iam.Role, finding: string, reason: string): void {
  const byFinding = wildcardReasons.get(role) ?? new Map<string, string[]>();
  wildcardReasons.set(role, byFinding);
  const reasons = [...(byFinding.get(finding) ?? []), reason];
  byFinding.set(finding, reasons);
  Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${finding}]`, reason: reasons.join(' ') });
}

/**
 * Reads of one node's state that IAM authorises against the node itself: the Service Authorization
 * Reference lists `instance*` and `managed-instance*` as their resource types.
 */
export const NODE_SCOPED_READ_ACTIONS = ['ssm:DescribeInstancePatchStates', 'ssm:DescribeInstancePatches', 'ssm:DescribeInstanceAssociationsStatus'] as const;

/**
 * Reads that list no resource type in the Service Authorization Reference: "*" is the only resource
 * an IAM statement can give them.
 */
export const UNSCOPED_READ_ACTIONS = [
  'ssm:DescribeInstanceInformation',
  'ssm:ListComplianceItems',
  'ssm:ListResourceComplianceSummaries',
  'ssm:ListCommandInvocations',
  'ssm:GetCommandInvocation',
] as const;

/** Read calls of the node state reader and the follow-up. */
export const NODE_STATE_READ_ACTIONS = [...NODE_SCOPED_READ_ACTIONS, ...UNSCOPED_READ_ACTIONS] as const;

/**
 * The tags of the evaluated nodes (scope tag, Name): Resource Groups Tagging API GetResources with
 * ResourceARNList. tag:GetResources defines no resource type in the Service Authorization Reference
 * ("Actions defined by Resource Group Tagging API"), so "*" is the only possible resource.
 */
export const NODE_TAG_READ_ACTIONS = ['tag:GetResources'] as const;

export function grantNodeStateRead(role: iam.Role): void {
  const stack = Stack.of(role);
  role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadStateOfNodes', actions: [...NODE_SCOPED_READ_ACTIONS], resources: nodeArnPatterns(stack) }));
  for (const finding of NODE_ARN_FINDINGS) {
    acknowledgeResourceWildcard(
      role,
      finding,
      `${NODE_SCOPED_READ_ACTIONS.join(', ')} read whichever node an event names; the grant is limited to instances and managed instances of this account and region.`,
    );
  }
  role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadNodeState', actions: [...UNSCOPED_READ_ACTIONS], resources: ['*'] }));
  role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadNodeTags', actions: [...NODE_TAG_READ_ACTIONS], resources: ['*'] }));
  acknowledgeResourceWildcard(
    role,
    '*',
    `${UNSCOPED_READ_ACTIONS.join(', ')} list no resource type in the Service Authorization Reference ("Actions defined by AWS Systems Manager"), so "*" is the only valid resource; the per-node reads are granted on node ARNs. ` +
      'tag:GetResources (the evaluated nodes\' tags, read per node with ResourceARNList) lists no resource type either ("Actions defined by Resource Group Tagging API").',
  );
  // The reader lists tags of hybrid nodes only (ListTagsForResource, ResourceType ManagedInstance).
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ReadHybridNodeTags',
      actions: ['ssm:ListTagsForResource'],
      resources: [stack.formatArn({ service: 'ssm', resource: 'managed-instance', resourceName: '*' })],
    }),
  );
  acknowledgeResourceWildcard(role, NODE_ARN_FINDINGS[1], 'ssm:ListTagsForResource reads the tags of whichever hybrid node an event names, limited to managed instances of this account and region.');
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
  acknowledgeResourceWildcard(
    role,
    '*',
    'ssm:GetCommandInvocation and ssm:ListCommandInvocations list no resource type in the Service Authorization Reference: "*" is the only valid resource.',
  );
}

/**
 * ssm:SendCommand of AWS-RunPatchBaseline. SendCommand is authorised against the document AND every
 * target node, so the grant names the AWS-owned document (no account in its ARN) and the nodes:
 *  - allowed: nodes whose scope tag is `auto` (any letter case); with defaultNodeMode=auto also nodes
 *    without the tag. Nothing else: a node whose tag holds `off`, `notify` or any other value is
 *    refused by IAM even if the code decided to act on it;
 *  - denied, whatever the settings and whatever else allows it: nodes whose scope tag is `off` or
 *    `notify` in any letter case, bare or with one surrounding space, on both tag condition keys
 *    SendCommand evaluates.
 * What IAM cannot express: trimming in general. The code trims any whitespace; IAM's
 * StringEqualsIgnoreCase matches listed spellings only, and IAM has no case-insensitive wildcard
 * match (StringLike is case-sensitive), so a value padded otherwise (two spaces, a tab) escapes the
 * explicit deny. Such a node still gets no command from IAM's side: the allow matches only `auto`
 * (any case, bare or with one surrounding space).
 * (SSM user guide, "Restricting Run Command access based on tags"; Service Authorization Reference.)
 */
export function grantPatchCommand(role: iam.Role, settings: Pick<AutopilotSettings, 'tagKey' | 'defaultNodeMode'>): void {
  const stack = Stack.of(role);
  const documentArn = stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: PATCH_DOCUMENT_NAME });
  role.addToPolicy(new iam.PolicyStatement({ sid: 'SendPatchDocument', actions: ['ssm:SendCommand'], resources: [documentArn] }));

  const nodeArns = nodeArnPatterns(stack);
  const tagKey = `ssm:resourceTag/${settings.tagKey}`;
  // The policy code compares tag values case-insensitively; so do these conditions.
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'SendCommandToAutoNodes',
      actions: ['ssm:SendCommand'],
      resources: nodeArns,
      // IAM cannot trim: the opt-in value with one surrounding space is listed too, as the code reads it.
      conditions: { StringEqualsIgnoreCase: { [tagKey]: [...OPT_IN_TAG_VALUES] } },
    }),
  );
  if (settings.defaultNodeMode === 'auto') {
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'SendCommandToUntaggedNodes',
        actions: ['ssm:SendCommand'],
        resources: nodeArns,
        conditions: { Null: { [tagKey]: 'true' } },
      }),
    );
  }
  for (const conditionKey of SCOPE_TAG_CONDITION_KEYS) {
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: conditionKey === 'ssm:resourceTag' ? 'DenySendCommandToOptedOutNodes' : 'DenySendCommandToOptedOutNodesByResourceTag',
        effect: iam.Effect.DENY,
        actions: ['ssm:SendCommand'],
        resources: nodeArns,
        conditions: { StringEqualsIgnoreCase: { [`${conditionKey}/${settings.tagKey}`]: [...OPTED_OUT_TAG_VALUES] } },
      }),
    );
  }
  const reason =
    settings.defaultNodeMode === 'auto'
      ? `SendCommand must name every target node; it is allowed only for nodes tagged ${settings.tagKey}=auto or without that tag (defaultNodeMode=auto), denied for nodes tagged off or notify, and the document is pinned to AWS-RunPatchBaseline.`
      : `SendCommand must name every target node; it is allowed only for nodes tagged ${settings.tagKey}=auto, denied for nodes tagged off or notify, and the document is pinned to AWS-RunPatchBaseline.`;
  for (const finding of NODE_ARN_FINDINGS) acknowledgeResourceWildcard(role, finding, reason);
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

/**
 * ssm:StartAssociationsOnce, only when settings allow re-running failed associations. IAM cannot keep
 * it away from opted-out nodes: the call is authorised against the association only (Service
 * Authorization Reference: resource type `association*`, condition key `aws:ResourceTag` of the
 * association itself), while it runs on every target of the association. Only the code's guards
 * stand between a re-run and a node tagged off or notify.
 */
export function grantAssociationRerun(role: iam.Role): void {
  const stack = Stack.of(role);
  const associations = stack.formatArn({ service: 'ssm', resource: 'association', resourceName: '*' });
  // DescribeAssociation: a re-run runs on every target, so the triage reads the targets first (usecases/triage/associations.ts).
  role.addToPolicy(new iam.PolicyStatement({ sid: 'RerunAssociations', actions: ['ssm:StartAssociationsOnce', 'ssm:DescribeAssociation'], resources: [associations] }));
  acknowledgeResourceWildcard(
    role,
    'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:association/*',
    'Association IDs are discovered at runtime from failing nodes; the grant is limited to associations of this account and region and enabled only with rerunFailedAssociations.',
  );
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

/**
 * securityhub:BatchImportFindings, only with `securityHubFindings` on. As narrow as the Service
 * Authorization Reference allows ("Actions defined by AWS Security Hub": BatchImportFindings takes the
 * `product` resource type and the `securityhub:TargetAccount` condition key, the finding's
 * AwsAccountId): this account's default product in this region, findings for this account only.
 */
export function grantFindingImport(role: iam.Role): void {
  const stack = Stack.of(role);
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ImportSecurityHubFindings',
      actions: ['securityhub:BatchImportFindings'],
      resources: [stack.formatArn({ service: 'securityhub', resource: 'product', resourceName: `${stack.account}/default` })],
      conditions: { StringEquals: { 'securityhub:TargetAccount': stack.account } },
    }),
  );
}
