import { coalesceByNode } from '../../lambdas/domain/intake/coalesce';
import { isManagedNodeId } from '../../lambdas/domain/intake/node-ids';
import { parseIntakeRecord } from '../../lambdas/domain/intake/parse';
import type { IntakeResult } from '../../lambdas/domain/intake/types';
import { asSqsRecord, loadEvent, type EventFixtureName } from '../fixtures/events';

const ctx = { ownRoleNames: ['SsmAutopilot-TriageRole1A2B', 'SsmAutopilot-FollowUpRole3C4D', 'SsmAutopilot-SweepRole5E6F'] };

function parseFixture(name: EventFixtureName, messageId = `msg-${name}`): IntakeResult {
  return parseIntakeRecord(asSqsRecord(loadEvent(name), messageId), ctx);
}

function expectNode(result: IntakeResult) {
  if (result.kind !== 'node') throw new Error(`expected a node result, got ${JSON.stringify(result)}`);
  return result;
}

describe('parseIntakeRecord: node IDs from each event kind', () => {
  it('takes instanceId from a CloudTrail PutInventory carrying patch results', () => {
    const result = expectNode(parseFixture('putInventoryPatch', 'm1'));
    expect(result).toEqual({
      kind: 'node',
      messageId: 'm1',
      eventId: '7bf73129-1428-4cd3-a780-95db273d1602',
      instanceId: 'i-0123456789abcdef0',
      trigger: 'PutInventory',
      mayChangeCompliance: true,
    });
  });

  it('takes resourceId from PutComplianceItems for a ManagedInstance', () => {
    const result = expectNode(parseFixture('putComplianceItemsInstance'));
    expect(result.instanceId).toBe('i-0fedcba9876543210');
    expect(result.trigger).toBe('PutComplianceItems');
    expect(result.mayChangeCompliance).toBe(true);
  });

  it('accepts a hybrid mi- node', () => {
    const result = expectNode(parseFixture('putComplianceItemsHybrid'));
    expect(result.instanceId).toBe('mi-0a1b2c3d4e5f60718');
  });

  it('takes resource-id and the status from native compliance changes, both statuses', () => {
    const nonCompliant = expectNode(parseFixture('nativePatchNonCompliant'));
    expect(nonCompliant).toMatchObject({
      instanceId: 'i-0123456789abcdef0',
      trigger: 'ComplianceStateChange',
      complianceStatus: 'non_compliant',
      mayChangeCompliance: true,
    });
    const compliant = expectNode(parseFixture('nativeAssociationCompliant'));
    expect(compliant).toMatchObject({ instanceId: 'i-0fedcba9876543210', complianceStatus: 'compliant' });
  });

  it('accepts legacy 8-hex instance IDs and rejects everything else', () => {
    expect(isManagedNodeId('i-0123abcd')).toBe(true);
    expect(isManagedNodeId('i-0123456789abcdef0')).toBe(true);
    expect(isManagedNodeId('mi-0a1b2c3d4e5f60718')).toBe(true);
    for (const bad of ['i-0123', 'i-0123456789ABCDEF0', 'mi-0123abcd', 'web-server-01', 'i-0123456789abcdef0x', '', undefined]) {
      expect(isManagedNodeId(bad)).toBe(false);
    }
  });
});

describe('parseIntakeRecord: session-name fallback', () => {
  it('uses the caller ARN session name when PutInventory requestParameters were omitted', () => {
    const event = loadEvent('putInventoryPatch');
    delete event.detail.requestParameters;
    const result = expectNode(parseIntakeRecord(asSqsRecord(event, 'm'), ctx));
    expect(result.instanceId).toBe('i-0123456789abcdef0');
    // Nothing positively shows the call is harmless, so it may change compliance.
    expect(result.mayChangeCompliance).toBe(true);
  });

  it('uses the principalId session name when the ARN has none', () => {
    const event = loadEvent('putComplianceItemsHybrid');
    const detail = event.detail as { requestParameters: Record<string, unknown>; userIdentity: Record<string, unknown> };
    delete detail.requestParameters.resourceId;
    detail.userIdentity.arn = 'arn:aws:sts::111122223333:assumed-role/SSMServiceRoleForHybridNodes';
    const result = expectNode(parseIntakeRecord(asSqsRecord(event, 'm'), ctx));
    expect(result.instanceId).toBe('mi-0a1b2c3d4e5f60718');
  });

  it('ignores a call whose node cannot be found anywhere (a human session)', () => {
    const event = loadEvent('sendCommandCall');
    const detail = event.detail as Record<string, unknown>;
    detail.eventName = 'PutComplianceItems';
    detail.requestParameters = { resourceType: 'ManagedInstance', complianceType: 'Custom:AV' };
    const result = parseIntakeRecord(asSqsRecord(event, 'm'), ctx);
    expect(result).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('no managed node ID') });
  });

  it('does not swap a foreign resourceId for the caller node', () => {
    const event = loadEvent('putComplianceItemsInstance');
    (event.detail.requestParameters as Record<string, unknown>).resourceId = 'onprem-db-01';
    const result = parseIntakeRecord(asSqsRecord(event, 'm'), ctx);
    expect(result).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('"onprem-db-01" is not a managed node ID') });
  });
});

describe('parseIntakeRecord: ignored events', () => {
  it('ignores PutComplianceItems for a resource type other than ManagedInstance', () => {
    const event = loadEvent('putComplianceItemsInstance');
    (event.detail.requestParameters as Record<string, unknown>).resourceType = 'Custom:Database';
    const result = parseIntakeRecord(asSqsRecord(event, 'm7'), ctx);
    expect(result).toEqual({
      kind: 'ignored',
      messageId: 'm7',
      eventId: 'a3c9e1f0-2b4d-4c6e-8f0a-1b3d5f7a9c2e',
      reason: 'resourceType Custom:Database is not ManagedInstance',
    });
  });

  it('ignores a native event whose resource-type is not managed-instance', () => {
    const event = loadEvent('nativePatchNonCompliant');
    event.detail['resource-type'] = 'AWS::EC2::Instance';
    expect(parseIntakeRecord(asSqsRecord(event, 'm'), ctx)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('managed-instance') });
  });

  it("drops calls made by the pipeline's own roles (session issuer or assumed-role ARN)", () => {
    const event = loadEvent('putInventoryPatch');
    const identity = event.detail.userIdentity as { arn: string; sessionContext: { sessionIssuer: { userName: string } } };
    identity.sessionContext.sessionIssuer.userName = 'SsmAutopilot-TriageRole1A2B';
    expect(parseIntakeRecord(asSqsRecord(event, 'm'), ctx)).toMatchObject({
      kind: 'ignored',
      reason: "call made by the pipeline's own role SsmAutopilot-TriageRole1A2B",
    });

    const byArnOnly = loadEvent('putComplianceItemsInstance');
    const identity2 = byArnOnly.detail.userIdentity as Record<string, unknown>;
    delete identity2.sessionContext;
    identity2.arn = 'arn:aws:sts::111122223333:assumed-role/SsmAutopilot-SweepRole5E6F/SsmAutopilot-SweepFn';
    expect(parseIntakeRecord(asSqsRecord(byArnOnly, 'm'), ctx)).toMatchObject({ kind: 'ignored' });
  });

  it('ignores other SSM API calls, other services and other detail types', () => {
    expect(parseFixture('sendCommandCall')).toMatchObject({ kind: 'ignored', reason: 'eventName SendCommand does not carry compliance data' });
    expect(parseFixture('ec2RunInstances')).toMatchObject({ kind: 'ignored', reason: 'source aws.ec2 is not aws.ssm' });
    expect(parseFixture('commandStatusSuccess')).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('is not handled') });
  });
});

describe('parseIntakeRecord: malformed records', () => {
  it('reports a body that is not JSON without an event ID', () => {
    const result = parseIntakeRecord({ messageId: 'bad-1', body: '{"id": "abc", ' }, ctx);
    expect(result.kind).toBe('malformed');
    expect(result).toMatchObject({ messageId: 'bad-1', error: expect.stringContaining('body is not JSON') });
    expect(result).not.toHaveProperty('eventId');
  });

  it('keeps the event ID of a wrong-shaped event and names the missing field', () => {
    const event = loadEvent('putInventoryPatch');
    delete event['detail-type'];
    const result = parseIntakeRecord(asSqsRecord(event, 'bad-2'), ctx);
    expect(result).toMatchObject({ kind: 'malformed', eventId: '7bf73129-1428-4cd3-a780-95db273d1602' });
    expect(result.kind === 'malformed' && result.error).toContain('detail-type');
  });

  it('rejects a CloudTrail detail without eventName and a native event with an unknown status', () => {
    const event = loadEvent('putComplianceItemsInstance');
    delete event.detail.eventName;
    expect(parseIntakeRecord(asSqsRecord(event, 'm'), ctx)).toMatchObject({ kind: 'malformed', error: expect.stringContaining('eventName') });

    const native = loadEvent('nativePatchNonCompliant');
    native.detail['compliance-status'] = 'NON_COMPLIANT';
    expect(parseIntakeRecord(asSqsRecord(native, 'm'), ctx)).toMatchObject({ kind: 'malformed', error: expect.stringContaining('compliance-status') });
  });

  it('rejects requestParameters of the wrong type', () => {
    const event = loadEvent('putInventoryPatch');
    (event.detail.requestParameters as Record<string, unknown>).items = 'AWS:ComplianceItem';
    expect(parseIntakeRecord(asSqsRecord(event, 'm'), ctx)).toMatchObject({ kind: 'malformed', error: expect.stringContaining('items') });
  });

  it('reports a JSON array or null body as malformed, not as a crash', () => {
    expect(parseIntakeRecord({ messageId: 'a', body: '[]' }, ctx).kind).toBe('malformed');
    expect(parseIntakeRecord({ messageId: 'b', body: 'null' }, ctx).kind).toBe('malformed');
  });
});

describe('parseIntakeRecord: mayChangeCompliance', () => {
  it('is false for a software-inventory-only PutInventory', () => {
    expect(expectNode(parseFixture('putInventorySoftware')).mayChangeCompliance).toBe(false);
  });

  it('is true when any item is a compliance type, or a type name is missing', () => {
    const event = loadEvent('putInventorySoftware');
    const items = (event.detail.requestParameters as { items: Array<Record<string, unknown>> }).items;
    items.push({ typeName: 'AWS:ComplianceSummary' });
    expect(expectNode(parseIntakeRecord(asSqsRecord(event, 'm'), ctx)).mayChangeCompliance).toBe(true);

    const truncated = loadEvent('putInventorySoftware');
    const truncatedItems = (truncated.detail.requestParameters as { items: Array<Record<string, unknown>> }).items;
    delete truncatedItems[1]?.typeName;
    expect(expectNode(parseIntakeRecord(asSqsRecord(truncated, 'm'), ctx)).mayChangeCompliance).toBe(true);
  });

  it('is false for a hash-only PutComplianceItems and true once items are missing rather than empty', () => {
    expect(expectNode(parseFixture('putComplianceItemsHashOnly')).mayChangeCompliance).toBe(false);
    const event = loadEvent('putComplianceItemsHashOnly');
    delete (event.detail.requestParameters as Record<string, unknown>).items;
    expect(expectNode(parseIntakeRecord(asSqsRecord(event, 'm'), ctx)).mayChangeCompliance).toBe(true);
  });
});

describe('coalesceByNode', () => {
  it('folds duplicates per node, keeps every messageId and ORs mayChangeCompliance', () => {
    const results = [
      parseFixture('putInventorySoftware', 'a'), // i-0123…, false
      parseFixture('putComplianceItemsHashOnly', 'b'), // i-0fed…, false
      parseFixture('putInventorySoftware', 'c'), // duplicate delivery of the same event
      parseFixture('nativePatchNonCompliant', 'd'), // i-0123…, true
      parseFixture('sendCommandCall', 'e'), // ignored
      parseIntakeRecord({ messageId: 'f', body: 'not json' }, ctx), // malformed
      parseFixture('putComplianceItemsHybrid', 'g'),
    ];
    const nodes = coalesceByNode(results);
    expect(nodes.map((n) => n.instanceId)).toEqual(['i-0123456789abcdef0', 'i-0fedcba9876543210', 'mi-0a1b2c3d4e5f60718']);
    expect(nodes[0]).toEqual({
      instanceId: 'i-0123456789abcdef0',
      messageIds: ['a', 'c', 'd'],
      eventIds: ['0d6e2f41-77a8-4b21-9c3e-5e8f1a2b3c4d', 'd6f2b4c3-5e7a-4f9b-1c3d-4e6a8c0e2f4b'],
      triggers: ['PutInventory', 'ComplianceStateChange'],
      complianceStatuses: ['non_compliant'],
      mayChangeCompliance: true,
    });
    expect(nodes[1]).toMatchObject({ messageIds: ['b'], mayChangeCompliance: false });
  });

  it('returns nothing for a batch without node results', () => {
    expect(coalesceByNode([parseFixture('ec2RunInstances')])).toEqual([]);
  });
});
