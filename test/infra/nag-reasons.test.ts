/**
 * cdk-nag acknowledgements must say what is true of the template they excuse: the actions a "*"
 * resource is excused for, the Node.js version, what the trail records. One app (with the trail).
 */
import { Validations, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { NODE_SCOPED_READ_ACTIONS } from '../../lib/permissions';
import { actionsOf, buildApp, identityStatements, resourcesOf, resourcesOfType } from './synth';

let stack: Stack;
let template: Template;
beforeAll(() => {
  stack = buildApp({ 'autopilot.createTrail': 'true', 'autopilot.rerunFailedAssociations': 'true' }).stack;
  template = Template.fromStack(stack);
});

/** The acknowledgement that counts for a rule ID on a construct: the last one recorded. */
function acknowledgement(construct: IConstruct, id: string): string | undefined {
  const entries = construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .map((entry) => (entry.data as Record<string, string>)[`Annotation::${id}`])
    .filter((reason): reason is string => reason !== undefined);
  return entries.at(-1);
}

function roles(): Array<{ role: iam.Role; logicalId: string }> {
  return stack.node
    .findAll()
    .filter((construct): construct is iam.Role => construct instanceof iam.Role)
    .map((role) => ({ role, logicalId: stack.getLogicalId(role.node.defaultChild as CfnElement) }));
}

it('every "*" resource is excused by a reason naming each of its actions, and never a node-scoped read', () => {
  let checked = 0;
  for (const { role, logicalId } of roles()) {
    const starActions = identityStatements(template)
      .filter(({ roles: attached, statement }) => attached.includes(logicalId) && statement.Effect === 'Allow' && resourcesOf(statement).includes('*'))
      .flatMap(({ statement }) => actionsOf(statement));
    if (starActions.length === 0) continue;
    const reason = acknowledgement(role, 'AwsSolutions-IAM5[Resource::*]') ?? '';
    for (const action of starActions) expect(reason).toContain(action);
    for (const action of NODE_SCOPED_READ_ACTIONS) expect(reason).not.toContain(action);
    expect(reason).toContain('Service Authorization Reference');
    checked += 1;
  }
  // triage, sweep and report read node state; the follow-up reads command invocations.
  expect(checked).toBe(4);
});

it('the node ARN wildcard reasons cover every statement of the role that uses them', () => {
  const triage = roles().find(({ logicalId }) => logicalId.startsWith('TriageRole'))!.role;
  const instances = acknowledgement(triage, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*]') ?? '';
  const hybrid = acknowledgement(triage, 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:managed-instance/*]') ?? '';
  for (const reason of [instances, hybrid]) {
    for (const action of NODE_SCOPED_READ_ACTIONS) expect(reason).toContain(action);
    expect(reason).toMatch(/SendCommand must name every target node; it is allowed only for nodes tagged ComplianceAutopilot=auto, denied for nodes tagged off or notify/);
  }
  expect(hybrid).toContain('ssm:ListTagsForResource');
});

it('the runtime reason names the Node.js version the functions run (and CI tests) on', () => {
  const functions = resourcesOfType(template, 'AWS::Lambda::Function');
  expect(functions.map(([, fn]) => fn.Properties.Runtime)).toEqual(['nodejs22.x', 'nodejs22.x', 'nodejs22.x', 'nodejs22.x']);
  const reasons = stack.node
    .findAll()
    .map((construct) => acknowledgement(construct, 'AwsSolutions-L1'))
    .filter((reason): reason is string => reason !== undefined);
  expect(reasons).toHaveLength(4);
  for (const reason of reasons) expect(reason).toMatch(/^Node\.js 22 \(nodejs22\.x\) is the Lambda runtime .* and the Node\.js version CI runs the tests on/);
});

it('the trail-bucket reason does not claim reads are logged: the trail records management write events only', () => {
  template.hasResourceProperties('AWS::CloudTrail::Trail', { EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'WriteOnly' }] });
  const bucket = stack.node.findAll().find((construct) => construct.node.path.endsWith('/EventIntake/TrailBucket'))!;
  const reason = acknowledgement(bucket, 'AwsSolutions-S1') ?? '';
  expect(reason).toContain('management write events only');
  expect(reason).toContain('reads of its objects are not');
  expect(reason).not.toMatch(/access is (itself )?recorded/);
});
