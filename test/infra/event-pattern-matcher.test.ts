import { matchesEventPattern } from './event-pattern-matcher';

const event = {
  source: 'aws.ssm',
  'detail-type': 'AWS API Call via CloudTrail',
  resources: ['arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0'],
  detail: { eventSource: 'ssm.amazonaws.com', eventName: 'PutInventory', readOnly: false, nested: { level: 2 } },
};

describe('matchesEventPattern', () => {
  it.each([
    ['exact value', { source: ['aws.ssm'] }, true],
    ['exact value, other value', { source: ['aws.ec2'] }, false],
    ['case-sensitive', { source: ['AWS.SSM'] }, false],
    ['array = OR', { detail: { eventName: ['PutComplianceItems', 'PutInventory'] } }, true],
    ['all fields must match (AND)', { source: ['aws.ssm'], detail: { eventName: ['SendCommand'] } }, false],
    ['nested objects', { detail: { nested: { level: [2] } } }, true],
    ['nested value of the wrong type', { detail: { nested: { level: ['2'] } } }, false],
    ['boolean leaf', { detail: { readOnly: [false] } }, true],
    ['missing field never matches a value', { detail: { requestParameters: ['x'] } }, false],
    ['object pattern on a leaf value', { source: { inner: ['x'] } }, false],
    ['event array: any element', { resources: ['arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0'] }, true],
    ['prefix', { resources: [{ prefix: 'arn:aws:ec2:' }] }, true],
    ['prefix, no match', { resources: [{ prefix: 'arn:aws:ssm:' }] }, false],
    ['exists: true on a present field', { detail: { eventName: [{ exists: true }] } }, true],
    ['exists: false on a missing field', { detail: { errorCode: [{ exists: false }] } }, true],
    ['exists: false on a present field', { detail: { eventName: [{ exists: false }] } }, false],
    ['anything-but', { detail: { eventName: [{ 'anything-but': ['SendCommand'] }] } }, true],
    ['anything-but, excluded', { detail: { eventName: [{ 'anything-but': 'PutInventory' }] } }, false],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });

  it('refuses what it does not implement instead of guessing', () => {
    expect(() => matchesEventPattern({ detail: { eventName: [{ suffix: 'Inventory' }] } }, event)).toThrow('Unsupported content filter "suffix"');
    expect(() => matchesEventPattern({ source: 'aws.ssm' }, event)).toThrow('a leaf must be an array');
  });

  it('does not match a non-object event', () => {
    expect(matchesEventPattern({ source: ['aws.ssm'] }, null)).toBe(false);
    expect(matchesEventPattern({ source: ['aws.ssm'] }, ['aws.ssm'])).toBe(false);
  });
});
