/** Cause -> ASFF finding, per cause: attributes, severity, and the resource of `i-` and `mi-` nodes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { causeFingerprint } from '../../lambdas/domain/alerts/fingerprint';
import { diagnose } from '../../lambdas/domain/diagnose';
import {
  FINDING_TYPE_CVE,
  FINDING_TYPE_PATCH,
  PRODUCT_FIELD,
  archivedFinding,
  causeAutomation,
  openFinding,
  type AsffFinding,
  type NodeAutomation,
} from '../../lambdas/domain/findings';
import { CAUSE_GUIDANCE } from '../../lambdas/domain/findings/guidance';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { parseSnapshot } from '../../lambdas/domain/snapshot-schema';
import { CAUSE_CODES, type CauseCode, type NodeSnapshot } from '../../lambdas/domain/types';
import { validateFinding } from './asff-validator';

const SCOPE = { account: '111122223333', region: 'eu-west-1' };
const TIMES = { createdAt: '2026-11-20T14:10:00.000Z', updatedAt: '2026-11-20T14:10:00.000Z', firstObservedAt: '2026-11-20T14:05:12.000Z' };
const NOTIFY: NodeAutomation = { decision: { action: 'NOTIFY', causes: [], dryRun: false, reason: 'needs a human' }, outcome: { kind: 'NOTIFIED' } };

function example(file: string): NodeSnapshot {
  const path = join(__dirname, '..', '..', 'examples', file);
  return parseSnapshot(JSON.parse(readFileSync(path, 'utf8')), file);
}

/** The same node as an EC2 (`i-`) or hybrid (`mi-`) one: every occurrence of its ID renamed. */
function asNode(prefix: 'i-' | 'mi-'): (snapshot: NodeSnapshot) => NodeSnapshot {
  return (snapshot) => {
    if (snapshot.instanceId.startsWith(prefix)) return snapshot;
    const renamed = `${prefix}0123456789abcdef0`;
    return JSON.parse(JSON.stringify(snapshot).split(snapshot.instanceId).join(renamed)) as NodeSnapshot;
  };
}

const CAUSE_EXAMPLES: Record<CauseCode, string> = {
  MISSING_PATCHES: 'missing-patches.json',
  FAILED_PATCHES: 'failed-patches.json',
  PENDING_REBOOT: 'pending-reboot.json',
  REJECTED_PATCHES_INSTALLED: 'rejected-patches-installed.json',
  PATCH_OPERATION_FAILED: 'patch-operation-failed.json',
  SECURITY_UPDATES_NOT_APPROVED: 'security-updates-not-approved.json',
  ASSOCIATION_FAILED: 'association-failed.json',
  INVENTORY_ASSOCIATION_FAILED: 'inventory-association-failed.json',
  CUSTOM_NONCOMPLIANT: 'custom-noncompliant.json',
  NODE_UNREACHABLE: 'node-unreachable.json',
  PATCH_SCAN_MISSING: 'patch-scan-missing.json',
  PATCH_SCAN_STALE: 'patch-scan-stale.json',
};

function findingFor(snapshot: NodeSnapshot, code: CauseCode, firstImport = true): { finding: AsffFinding; severity: string; hasCves: boolean } {
  const diagnosis = diagnose(snapshot, DEFAULT_SETTINGS);
  const cause = diagnosis.causes.find((entry) => entry.code === code);
  if (!cause) throw new Error(`${code} not diagnosed`);
  const finding = openFinding({
    scope: SCOPE,
    diagnosis,
    cause,
    automation: causeAutomation(code, NOTIFY),
    evidenceFingerprint: causeFingerprint(diagnosis.instanceId, cause),
    times: TIMES,
    firstImport,
  });
  return { finding, severity: cause.severity, hasCves: /CVE-\d{4}-\d+/.test(JSON.stringify(cause.evidence)) };
}

it('every cause has an example to map', () => {
  expect(Object.keys(CAUSE_EXAMPLES).sort()).toEqual([...CAUSE_CODES].sort());
});

describe.each(Object.entries(CAUSE_EXAMPLES) as Array<[CauseCode, string]>)('%s (%s)', (code, file) => {
  it.each([
    ['i-', asNode('i-')],
    ['mi-', asNode('mi-')],
  ])('%s node: identity, severity, types, resource, texts', (prefix, shape) => {
    const snapshot = shape(example(file));
    const id = snapshot.instanceId;
    expect(id.startsWith(prefix)).toBe(true);
    const { finding, severity, hasCves } = findingFor(snapshot, code);

    expect(validateFinding(finding as unknown as Record<string, unknown>, { firstImport: true })).toEqual([]);
    expect(finding.Id).toBe(`ssm-compliance-autopilot/eu-west-1/111122223333/${id}/${code}`);
    expect(finding.ProductArn).toBe('arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default');
    expect(finding.GeneratorId).toBe(`ssm-compliance-autopilot/${code}`);
    expect(finding.Severity).toEqual({ Label: severity });
    expect(finding.FindingProviderFields.Severity.Label).toBe(severity);
    expect(finding.Types).toEqual(hasCves ? [FINDING_TYPE_PATCH, FINDING_TYPE_CVE] : [FINDING_TYPE_PATCH]);
    expect(finding.FindingProviderFields.Types).toEqual(finding.Types);
    expect(finding.Vulnerabilities !== undefined).toBe(hasCves);
    expect(finding.Compliance).toEqual({ Status: 'FAILED' });
    expect(finding.RecordState).toBe('ACTIVE');
    expect(finding.Title.startsWith(CAUSE_GUIDANCE[code].name)).toBe(true);
    expect(finding.Description).toContain(code);
    expect(finding.Description).toContain('Evidence: ');
    expect(finding.Description.length).toBeLessThanOrEqual(1024);
    expect(finding.Remediation?.Recommendation.Url).toBe(CAUSE_GUIDANCE[code].url);
    expect(finding.ProductFields[PRODUCT_FIELD.causeCode]).toBe(code);
    expect(finding.ProductFields[PRODUCT_FIELD.instanceId]).toBe(id);
    const [resource] = finding.Resources;
    if (prefix === 'i-') expect(resource).toEqual({ Type: 'AwsEc2Instance', Id: `arn:aws:ec2:eu-west-1:111122223333:instance/${id}`, Partition: 'aws', Region: 'eu-west-1' });
    else expect(resource).toEqual({ Type: 'Other', Id: `arn:aws:ssm:eu-west-1:111122223333:managed-instance/${id}`, Partition: 'aws', Region: 'eu-west-1' });
  });
});

it('an update carries Severity and Types only in FindingProviderFields (BatchImportFindings API reference)', () => {
  const { finding, severity } = findingFor(example('pending-reboot.json'), 'PENDING_REBOOT', false);
  expect(finding.Severity).toBeUndefined();
  expect(finding.Types).toBeUndefined();
  expect(finding.FindingProviderFields).toEqual({ Severity: { Label: severity, Original: severity }, Types: [FINDING_TYPE_PATCH, FINDING_TYPE_CVE] });
  expect(validateFinding(finding as unknown as Record<string, unknown>)).toEqual([]);
});

it('states what the autopilot did: the command, the attempts, the action', () => {
  const snapshot = example('missing-patches.json');
  const diagnosis = diagnose(snapshot, DEFAULT_SETTINGS);
  const cause = diagnosis.causes[0]!;
  const automation = causeAutomation('MISSING_PATCHES', {
    decision: { action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], dryRun: false, reason: 'missing patches' },
    outcome: { kind: 'COMMAND_SENT', commandId: '0f1e2d3c-aaaa-bbbb-cccc-000000000001' },
    attempts: { MISSING_PATCHES: 2 },
  });
  const finding = openFinding({ scope: SCOPE, diagnosis, cause, automation, evidenceFingerprint: 'f', times: TIMES, firstImport: true });
  expect(finding.Description).toContain('The autopilot sent command 0f1e2d3c-aaaa-bbbb-cccc-000000000001: AWS-RunPatchBaseline Install.');
  expect(finding.ProductFields).toMatchObject({
    [PRODUCT_FIELD.action]: 'INSTALL_PATCHES',
    [PRODUCT_FIELD.automationState]: 'COMMAND_SENT',
    [PRODUCT_FIELD.commandId]: '0f1e2d3c-aaaa-bbbb-cccc-000000000001',
    [PRODUCT_FIELD.attempts]: '2',
    [PRODUCT_FIELD.dryRun]: 'false',
  });
  expect(Object.values(finding.ProductFields).every((value) => typeof value === 'string' && value.length > 0)).toBe(true);
});

it('a cause the decision does not act on is "alerted, needs a human"', () => {
  const automation = causeAutomation('ASSOCIATION_FAILED', {
    decision: { action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], dryRun: false, reason: 'x' },
    outcome: { kind: 'COMMAND_SENT', commandId: 'c-1' },
  });
  expect(automation).toMatchObject({ action: 'NOTIFY', state: 'NOTIFIED' });
  expect(automation.commandId).toBeUndefined();
});

it('the description stays within 1,024 characters however long the evidence', () => {
  const diagnosis = diagnose(example('missing-patches.json'), DEFAULT_SETTINGS);
  const cause = { ...diagnosis.causes[0]!, summary: 'x'.repeat(2000), evidence: { list: Array.from({ length: 500 }, (_, index) => `item-${index}`), blob: 'y'.repeat(5000) } };
  const finding = openFinding({ scope: SCOPE, diagnosis, cause, automation: causeAutomation(cause.code, NOTIFY), evidenceFingerprint: 'f', times: TIMES, firstImport: true });
  expect(finding.Description.length).toBeLessThanOrEqual(1024);
  expect(finding.Title.length).toBeLessThanOrEqual(256);
  expect(validateFinding(finding as unknown as Record<string, unknown>)).toEqual([]);
});

it.each([
  ['CAUSE_CLEARED', 'PASSED'],
  ['NODE_COMPLIANT', 'PASSED'],
  ['NODE_DEREGISTERED', 'PASSED'],
  ['NODE_OPTED_OUT', 'NOT_AVAILABLE'],
] as const)('archive (%s): same Id, RecordState ARCHIVED, Compliance %s, CreatedAt kept', (reason, status) => {
  const finding = archivedFinding({
    scope: SCOPE,
    instanceId: 'mi-0123456789abcdef0',
    cause: 'PENDING_REBOOT',
    lastSeverity: 'HIGH',
    createdAt: '2026-10-01T00:00:00.000Z',
    updatedAt: '2026-11-20T14:10:00.000Z',
    observedAt: '2026-11-20T14:05:00.000Z',
    reason,
  });
  expect(finding).toMatchObject({
    Id: 'ssm-compliance-autopilot/eu-west-1/111122223333/mi-0123456789abcdef0/PENDING_REBOOT',
    RecordState: 'ARCHIVED',
    Compliance: { Status: status },
    CreatedAt: '2026-10-01T00:00:00.000Z',
    FindingProviderFields: { Severity: { Label: 'INFORMATIONAL', Original: 'HIGH' } },
  });
  expect(finding.Resources[0]?.Type).toBe('Other');
  expect(validateFinding(finding as unknown as Record<string, unknown>)).toEqual([]);
});

it('GovCloud and China regions get their partition in the product ARN and the resource', () => {
  const diagnosis = diagnose(example('pending-reboot.json'), DEFAULT_SETTINGS);
  const cause = diagnosis.causes[0]!;
  const finding = openFinding({ scope: { account: '111122223333', region: 'us-gov-west-1' }, diagnosis, cause, automation: causeAutomation(cause.code, NOTIFY), evidenceFingerprint: 'f', times: TIMES, firstImport: true });
  expect(finding.ProductArn).toBe('arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:product/111122223333/default');
  expect(finding.Resources[0]).toMatchObject({ Partition: 'aws-us-gov', Id: expect.stringMatching(/^arn:aws-us-gov:ec2:us-gov-west-1:/) });
});
