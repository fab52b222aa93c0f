/**
 * The exact IAM statements the template must hold for ssm:SendCommand, written out by hand (not built
 * with lib/permissions.ts) so that a change to the grant has to change this intent as well.
 */
export const NODE_ARNS = [
  'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*',
  'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:managed-instance/*',
];

const NODE_RESOURCES = [
  { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':instance/*']] },
  { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':managed-instance/*']] },
];

/** Opted-out spellings the deny lists: any case (IgnoreCase), bare and with one surrounding space. */
const OPTED_OUT = ['off', ' off', 'off ', ' off ', 'notify', ' notify', 'notify ', ' notify '];

export function expectedSendCommandStatements(tagKey: string, defaultNodeMode: 'auto' | 'notify' | 'off'): unknown[] {
  return [
    {
      Sid: 'SendPatchDocument',
      Effect: 'Allow',
      Action: 'ssm:SendCommand',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, '::document/AWS-RunPatchBaseline']] },
    },
    {
      Sid: 'SendCommandToAutoNodes',
      Effect: 'Allow',
      Action: 'ssm:SendCommand',
      Resource: NODE_RESOURCES,
      Condition: { StringEqualsIgnoreCase: { [`ssm:resourceTag/${tagKey}`]: ['auto', ' auto', 'auto ', ' auto '] } },
    },
    ...(defaultNodeMode === 'auto'
      ? [{ Sid: 'SendCommandToUntaggedNodes', Effect: 'Allow', Action: 'ssm:SendCommand', Resource: NODE_RESOURCES, Condition: { Null: { [`ssm:resourceTag/${tagKey}`]: 'true' } } }]
      : []),
    {
      Sid: 'DenySendCommandToOptedOutNodes',
      Effect: 'Deny',
      Action: 'ssm:SendCommand',
      Resource: NODE_RESOURCES,
      Condition: { StringEqualsIgnoreCase: { [`ssm:resourceTag/${tagKey}`]: OPTED_OUT } },
    },
    {
      Sid: 'DenySendCommandToOptedOutNodesByResourceTag',
      Effect: 'Deny',
      Action: 'ssm:SendCommand',
      Resource: NODE_RESOURCES,
      Condition: { StringEqualsIgnoreCase: { [`aws:ResourceTag/${tagKey}`]: OPTED_OUT } },
    },
  ];
}
