import { diagnose } from '../../lambdas/domain/diagnose';
import { DEFAULT_SETTINGS, parseSettings, type AutopilotSettings } from '../../lambdas/domain/settings';
import type { CauseCode, NodeSnapshot, RemediationAction } from '../../lambdas/domain/types';
import { healthyLinux, LAST_SCAN_END, windowsNode, withPatchState } from './builders';

const AFTER_SCAN = '2026-11-20T09:30:00.000Z';
const BEFORE_SCAN = '2026-11-20T01:00:00.000Z';

function codes(snapshot: NodeSnapshot, settings: AutopilotSettings = DEFAULT_SETTINGS): CauseCode[] {
  return diagnose(snapshot, settings).causes.map((cause) => cause.code);
}

function causeOf(snapshot: NodeSnapshot, code: CauseCode, settings: AutopilotSettings = DEFAULT_SETTINGS) {
  const cause = diagnose(snapshot, settings).causes.find((candidate) => candidate.code === code);
  if (!cause) throw new Error(`expected cause ${code}, got ${codes(snapshot, settings).join(',') || 'none'}`);
  return cause;
}

const patchCommand = (status: string, requested: string, extra: Record<string, string> = {}) => ({
  CommandId: `cmd-${status}-${requested}`,
  DocumentName: 'AWS-RunPatchBaseline',
  RequestedDateTime: requested,
  Status: status,
  StatusDetails: status,
  ...extra,
});

const association = (name: string, status: string, executionDate: string, extra: Record<string, string> = {}) => ({
  AssociationId: `assoc-${name}`,
  Name: name,
  AssociationName: `${name}-association`,
  Status: status,
  DetailedStatus: status,
  ExecutionDate: executionDate,
  ...extra,
});

describe('healthy nodes yield no cause', () => {
  test.each([
    ['healthy Linux node', healthyLinux()],
    ['healthy Windows node', windowsNode()],
    ['successful patch command after the scan', healthyLinux({ commandInvocations: [patchCommand('Success', AFTER_SCAN)] })],
    ['failed patch command before the last scan (superseded)', healthyLinux({ commandInvocations: [patchCommand('Failed', BEFORE_SCAN)] })],
    ['patch command still in progress', healthyLinux({ commandInvocations: [patchCommand('InProgress', AFTER_SCAN)] })],
    ['inventory association Pending for 10 minutes', healthyLinux({ associationStatuses: [association('AWS-GatherSoftwareInventory', 'Pending', '2026-11-20T13:50:00.000Z')] })],
    ['successful associations', healthyLinux({ associationStatuses: [association('AWS-GatherSoftwareInventory', 'Success', AFTER_SCAN), association('AWS-RunPatchBaselineAssociation', 'Success', AFTER_SCAN)] })],
    ['Custom compliance items that are COMPLIANT', healthyLinux({ complianceItems: [{ ComplianceType: 'Custom:CIS', Id: 'rule-1', Status: 'COMPLIANT', Severity: 'HIGH' }] })],
    ['last scan exactly at the stale limit', withPatchState(healthyLinux(), { OperationEndTime: '2026-11-13T14:00:00.000Z' })],
  ])('%s', (_name, snapshot) => {
    const diagnosis = diagnose(snapshot, DEFAULT_SETTINGS);
    expect(diagnosis.causes).toEqual([]);
    expect(diagnosis.compliant).toBe(true);
  });
});

describe('patch counts', () => {
  test('MISSING_PATCHES calls for an install, with severity from the patches and capped evidence', () => {
    const missing = Array.from({ length: 14 }, (_, index) => ({
      Title: `pkg${index}.x86_64:0:1.0-${index}.amzn2023`,
      KBId: `pkg${index}.x86_64`,
      Classification: 'Security',
      Severity: index === 9 ? 'Critical' : 'Medium',
      State: 'Missing',
      CVEIds: `CVE-2026-10${String(index).padStart(2, '0')}`,
    }));
    const snapshot = withPatchState(healthyLinux({ patches: missing }), { MissingCount: 14 });
    const cause = causeOf(snapshot, 'MISSING_PATCHES');
    expect(cause.remediation).toBe('INSTALL_PATCHES');
    expect(cause.severity).toBe('CRITICAL');
    const evidence = cause.evidence['missingPatches'] as { total: number; patches: { kbId: string }[]; truncated: boolean };
    expect(evidence.total).toBe(14);
    expect(evidence.patches).toHaveLength(10);
    expect(evidence.truncated).toBe(true);
    expect(evidence.patches[0]?.kbId).toBe('pkg9.x86_64');
    expect(cause.summary).toMatch(/^14 approved patches are missing/);
  });

  test('MISSING_PATCHES severity from rollups when patches were not listed', () => {
    const snapshot = withPatchState(healthyLinux({ patches: [] }), { MissingCount: 2, CriticalNonCompliantCount: 1 });
    expect(causeOf(snapshot, 'MISSING_PATCHES').severity).toBe('CRITICAL');
    const security = withPatchState(healthyLinux(), { MissingCount: 2, SecurityNonCompliantCount: 2 });
    expect(causeOf(security, 'MISSING_PATCHES').severity).toBe('HIGH');
    expect(causeOf(withPatchState(healthyLinux(), { MissingCount: 1 }), 'MISSING_PATCHES').severity).toBe('MEDIUM');
  });

  test('FAILED_PATCHES and MISSING_PATCHES both hold when both counts are set', () => {
    const snapshot = withPatchState(healthyLinux(), { MissingCount: 2, FailedCount: 1, Operation: 'Install' });
    expect(codes(snapshot)).toEqual(['MISSING_PATCHES', 'FAILED_PATCHES']);
    expect(causeOf(snapshot, 'FAILED_PATCHES').remediation).toBe('NOTIFY');
  });

  test('FAILED_PATCHES alone, with Linux log paths in next steps', () => {
    const cause = causeOf(withPatchState(healthyLinux(), { FailedCount: 3 }), 'FAILED_PATCHES');
    expect(cause.nextSteps.join('\n')).toContain('/var/log/amazon/ssm/amazon-ssm-agent.log');
    expect(cause.nextSteps.join('\n')).not.toContain('%PROGRAMDATA%');
  });

  test('Windows nodes get Windows log paths', () => {
    const cause = causeOf(withPatchState(windowsNode(), { FailedCount: 1 }), 'FAILED_PATCHES');
    expect(cause.nextSteps.join('\n')).toContain('%PROGRAMDATA%\\Amazon\\SSM\\Logs\\amazon-ssm-agent.log');
    expect(cause.nextSteps.join('\n')).toContain('PatchBaselineOperations');
  });

  test.each(['InstalledPendingReboot', 'INSTALLED_PENDING_REBOOT'])('PENDING_REBOOT from patches spelled %s', (state) => {
    const snapshot = withPatchState(
      windowsNode({ patches: [{ Title: 'Cumulative Update (KB5068787)', KBId: 'KB5068787', Severity: 'Critical', State: state }] }),
      { InstalledPendingRebootCount: 1, LastNoRebootInstallOperationTime: '2026-11-19T21:42:31.000Z', RebootOption: 'NoReboot' },
    );
    const cause = causeOf(snapshot, 'PENDING_REBOOT');
    expect(cause.remediation).toBe('REBOOT_NODE');
    expect(cause.severity).toBe('CRITICAL');
    expect(cause.evidence['lastNoRebootInstallOperationTime']).toBe('2026-11-19T21:42:31.000Z');
    expect((cause.evidence['pendingRebootPatches'] as { patches: { kbId: string }[] }).patches[0]?.kbId).toBe('KB5068787');
  });

  test('PENDING_REBOOT from the patch list alone when the count is missing', () => {
    const snapshot = withPatchState(
      healthyLinux({ patches: [{ Title: 'kernel', State: 'INSTALLED_PENDING_REBOOT' }] }),
      { InstalledPendingRebootCount: undefined },
    );
    expect(codes(snapshot)).toEqual(['PENDING_REBOOT']);
  });

  test('REJECTED_PATCHES_INSTALLED notifies', () => {
    const cause = causeOf(withPatchState(healthyLinux(), { InstalledRejectedCount: 1 }), 'REJECTED_PATCHES_INSTALLED');
    expect(cause.remediation).toBe('NOTIFY');
  });
});

describe('PATCH_OPERATION_FAILED', () => {
  test.each(['Failed', 'TimedOut', 'Cancelled'])('a patch command %s after the last scan', (status) => {
    const snapshot = healthyLinux({ commandInvocations: [patchCommand(status, AFTER_SCAN)] });
    const cause = causeOf(snapshot, 'PATCH_OPERATION_FAILED');
    expect(cause.remediation).toBe('NOTIFY');
    expect(cause.evidence['command']).toMatchObject({ status, requestedDateTime: AFTER_SCAN });
    expect(cause.evidence['operationEndTime']).toBe(LAST_SCAN_END);
  });

  test('Status Failed with StatusDetails DeliveryTimedOut counts', () => {
    const snapshot = healthyLinux({ commandInvocations: [patchCommand('Failed', AFTER_SCAN, { StatusDetails: 'DeliveryTimedOut' })] });
    expect(causeOf(snapshot, 'PATCH_OPERATION_FAILED').summary).toContain('DeliveryTimedOut');
  });

  test('retries the install when retryFailedPatchOperations is on', () => {
    const settings = parseSettings({ retryFailedPatchOperations: true }, 'test');
    const snapshot = healthyLinux({ commandInvocations: [patchCommand('Failed', AFTER_SCAN)] });
    expect(causeOf(snapshot, 'PATCH_OPERATION_FAILED', settings).remediation).toBe('INSTALL_PATCHES');
  });

  test('a later successful patch command supersedes an earlier failure', () => {
    const snapshot = healthyLinux({
      commandInvocations: [patchCommand('Failed', AFTER_SCAN), patchCommand('Success', '2026-11-20T10:30:00.000Z')],
    });
    expect(codes(snapshot)).toEqual([]);
  });

  test('commands of other documents are ignored', () => {
    const snapshot = healthyLinux({ commandInvocations: [{ ...patchCommand('Failed', AFTER_SCAN), DocumentName: 'AWS-RunShellScript' }] });
    expect(codes(snapshot)).toEqual([]);
  });

  test('a patching association whose run failed after the last patch operation', () => {
    const snapshot = healthyLinux({
      associationStatuses: [association('AWS-RunPatchBaselineAssociation', 'Failed', AFTER_SCAN, { ErrorCode: '1' })],
    });
    expect(codes(snapshot)).toEqual(['PATCH_OPERATION_FAILED']);
  });

  test('a patching association that ran before the last operation is not a failure now', () => {
    const snapshot = healthyLinux({ associationStatuses: [association('AWS-RunPatchBaseline', 'Failed', BEFORE_SCAN)] });
    expect(codes(snapshot)).toEqual([]);
  });

  test('shared document ARNs are recognised as the patch family', () => {
    const snapshot = healthyLinux({
      associationStatuses: [association('arn:aws:ssm:eu-west-1::document/AWS-RunPatchBaselineWithHooks', 'Failed', AFTER_SCAN)],
    });
    expect(codes(snapshot)).toEqual(['PATCH_OPERATION_FAILED']);
  });
});

describe('associations', () => {
  test('a patching association NON_COMPLIANT because patches are missing is MISSING_PATCHES only', () => {
    const snapshot = withPatchState(
      healthyLinux({
        associationStatuses: [association('AWS-RunPatchBaselineAssociation', 'Success', '2026-11-20T02:10:00.000Z')],
        complianceItems: [
          { ComplianceType: 'Association', Id: 'assoc-patch', Status: 'NON_COMPLIANT', Details: { DocumentName: 'AWS-RunPatchBaselineAssociation' } },
        ],
      }),
      { MissingCount: 4 },
    );
    expect(codes(snapshot)).toEqual(['MISSING_PATCHES']);
  });

  test('another association failed: ASSOCIATION_FAILED with its error code, NOTIFY by default', () => {
    const snapshot = healthyLinux({
      associationStatuses: [association('AmazonCloudWatch-ManageAgent', 'Failed', AFTER_SCAN, { ErrorCode: '1' })],
    });
    const cause = causeOf(snapshot, 'ASSOCIATION_FAILED');
    expect(cause.remediation).toBe('NOTIFY');
    expect(cause.associationIds).toBeUndefined();
    expect(cause.evidence['associations']).toEqual([
      expect.objectContaining({ associationId: 'assoc-AmazonCloudWatch-ManageAgent', errorCode: '1', status: 'Failed' }),
    ]);
  });

  test('RERUN_ASSOCIATION with the association IDs when rerunFailedAssociations is on', () => {
    const settings = parseSettings({ rerunFailedAssociations: true }, 'test');
    const snapshot = healthyLinux({
      associationStatuses: [association('Custom-Hardening', 'Failed', AFTER_SCAN)],
      complianceItems: [
        { ComplianceType: 'Association', Id: 'assoc-Custom-Hardening', Status: 'NON_COMPLIANT', Details: { DocumentName: 'Custom-Hardening' } },
        { ComplianceType: 'Association', Id: 'assoc-other', Status: 'NON_COMPLIANT', Severity: 'HIGH', Details: { DocumentName: 'Other-Doc' } },
      ],
    });
    const cause = causeOf(snapshot, 'ASSOCIATION_FAILED', settings);
    expect(cause.remediation).toBe('RERUN_ASSOCIATION');
    expect(cause.associationIds).toEqual(['assoc-Custom-Hardening', 'assoc-other']);
    expect(cause.severity).toBe('HIGH');
  });

  test('inventory association Failed is INVENTORY_ASSOCIATION_FAILED, not ASSOCIATION_FAILED', () => {
    const snapshot = healthyLinux({ associationStatuses: [association('AWS-GatherSoftwareInventory', 'Failed', AFTER_SCAN)] });
    expect(codes(snapshot)).toEqual(['INVENTORY_ASSOCIATION_FAILED']);
  });

  test('inventory association Pending longer than inventoryStuckMinutes', () => {
    const snapshot = healthyLinux({ associationStatuses: [association('AWS-GatherSoftwareInventory', 'Pending', '2026-11-20T11:00:00.000Z')] });
    expect(codes(snapshot)).toEqual(['INVENTORY_ASSOCIATION_FAILED']);
    expect(codes(snapshot, parseSettings({ inventoryStuckMinutes: 240 }, 'test'))).toEqual([]);
    const settings = parseSettings({ rerunFailedAssociations: true }, 'test');
    expect(causeOf(snapshot, 'INVENTORY_ASSOCIATION_FAILED', settings)).toMatchObject({
      remediation: 'RERUN_ASSOCIATION',
      associationIds: ['assoc-AWS-GatherSoftwareInventory'],
    });
  });

  test('inventory association NON_COMPLIANT compliance item', () => {
    const snapshot = healthyLinux({
      complianceItems: [{ ComplianceType: 'Association', Id: 'inv-1', Status: 'NON_COMPLIANT', Details: { DocumentName: 'AWS-GatherSoftwareInventory' } }],
    });
    expect(codes(snapshot)).toEqual(['INVENTORY_ASSOCIATION_FAILED']);
  });
});

describe('SECURITY_UPDATES_NOT_APPROVED (Windows only)', () => {
  const updates = [
    { Title: 'Security Update for Microsoft Edge (KB5070354)', KBId: 'KB5070354', Severity: 'Important', State: 'AvailableSecurityUpdate' },
  ];

  test('baseline counts them NON_COMPLIANT (rollups exceed the other states): cause with the updates\' severity', () => {
    const snapshot = withPatchState(windowsNode({ patches: updates }), { AvailableSecurityUpdateCount: 1, SecurityNonCompliantCount: 1 });
    const cause = causeOf(snapshot, 'SECURITY_UPDATES_NOT_APPROVED');
    expect(cause).toMatchObject({ remediation: 'NOTIFY', severity: 'HIGH' });
    expect(cause.evidence['baselineCountsThemAs']).toBe('NON_COMPLIANT');
  });

  test('Patch compliance NON_COMPLIANT with nothing else missing: cause', () => {
    const snapshot = withPatchState(
      windowsNode({ patches: updates, complianceSummaries: [{ ComplianceType: 'Patch', Status: 'NON_COMPLIANT' }] }),
      { AvailableSecurityUpdateCount: 1, CriticalNonCompliantCount: undefined, SecurityNonCompliantCount: undefined, OtherNonCompliantCount: undefined },
    );
    expect(codes(snapshot)).toEqual(['SECURITY_UPDATES_NOT_APPROVED']);
  });

  test('baseline counts them COMPLIANT (Patch compliance read, not NON_COMPLIANT): no cause, a note', () => {
    const snapshot = withPatchState(windowsNode({ patches: updates, complianceSummaries: [] }), { AvailableSecurityUpdateCount: 1 });
    const diagnosis = diagnose(snapshot, DEFAULT_SETTINGS);
    expect(diagnosis.compliant).toBe(true);
    expect(diagnosis.notes?.[0]).toMatch(/counts them as COMPLIANT/);
  });

  test('no compliance data to tell: cause with severity LOW', () => {
    const snapshot = withPatchState(windowsNode({ patches: updates }), {
      AvailableSecurityUpdateCount: 1,
      CriticalNonCompliantCount: undefined,
      SecurityNonCompliantCount: undefined,
      OtherNonCompliantCount: undefined,
    });
    delete snapshot.complianceItems;
    delete snapshot.complianceSummaries;
    const cause = causeOf(snapshot, 'SECURITY_UPDATES_NOT_APPROVED');
    expect(cause.severity).toBe('LOW');
    expect(cause.evidence['baselineCountsThemAs']).toBe('UNKNOWN');
  });

  test('ignored on Linux', () => {
    const snapshot = withPatchState(healthyLinux({ complianceSummaries: undefined }), { AvailableSecurityUpdateCount: 3, SecurityNonCompliantCount: 3 });
    expect(codes(snapshot)).toEqual([]);
  });
});

describe('reachability and scan data', () => {
  test.each(['ConnectionLost', 'Inactive'])('agent %s -> NODE_UNREACHABLE', (pingStatus) => {
    const snapshot = healthyLinux();
    snapshot.instanceInformation = { ...snapshot.instanceInformation!, PingStatus: pingStatus };
    expect(codes(snapshot)).toEqual(['NODE_UNREACHABLE']);
    expect(causeOf(snapshot, 'NODE_UNREACHABLE').remediation).toBe('NOTIFY');
  });

  test('a hand-written snapshot without PingStatus is not called unreachable', () => {
    const snapshot = healthyLinux();
    snapshot.instanceInformation = { InstanceId: snapshot.instanceId, PlatformType: 'Linux' };
    expect(codes(snapshot)).toEqual([]);
  });

  test('an unreachable node with missing patches lists both causes', () => {
    const snapshot = withPatchState(healthyLinux(), { MissingCount: 5 });
    snapshot.instanceInformation = { ...snapshot.instanceInformation!, PingStatus: 'ConnectionLost' };
    expect(codes(snapshot)).toEqual(['NODE_UNREACHABLE', 'MISSING_PATCHES']);
  });

  test('no instance information but patch data -> NODE_UNREACHABLE', () => {
    const snapshot = healthyLinux({ instanceInformation: null });
    expect(codes(snapshot)).toEqual(['NODE_UNREACHABLE']);
    expect(causeOf(snapshot, 'NODE_UNREACHABLE').summary).toMatch(/not listed by DescribeInstanceInformation/);
  });

  test('an Online node with no patch state -> PATCH_SCAN_MISSING', () => {
    expect(codes(healthyLinux({ patchState: null }))).toEqual(['PATCH_SCAN_MISSING']);
  });

  test('a stale last scan -> PATCH_SCAN_STALE, threshold from settings', () => {
    const snapshot = withPatchState(healthyLinux(), { OperationEndTime: '2026-11-10T14:00:00.000Z' });
    expect(codes(snapshot)).toEqual(['PATCH_SCAN_STALE']);
    expect(causeOf(snapshot, 'PATCH_SCAN_STALE').evidence['ageHours']).toBe(240);
    expect(codes(snapshot, parseSettings({ staleScanHours: 300 }, 'test'))).toEqual([]);
  });
});

describe('CUSTOM_NONCOMPLIANT', () => {
  test('Custom:* NON_COMPLIANT items, severity from the worst item', () => {
    const snapshot = healthyLinux({
      complianceItems: [
        { ComplianceType: 'Custom:CIS', Id: 'r1', Title: 'Disable root SSH', Status: 'NON_COMPLIANT', Severity: 'HIGH' },
        { ComplianceType: 'Custom:CIS', Id: 'r2', Title: 'Password length', Status: 'NON_COMPLIANT', Severity: 'MEDIUM' },
        { ComplianceType: 'Custom:CIS', Id: 'r3', Title: 'Auditd', Status: 'COMPLIANT', Severity: 'CRITICAL' },
      ],
    });
    const cause = causeOf(snapshot, 'CUSTOM_NONCOMPLIANT');
    expect(cause).toMatchObject({ remediation: 'NOTIFY', severity: 'HIGH' });
    expect(cause.evidence['nonCompliantCount']).toBe(2);
    expect(cause.summary).toContain('Custom:CIS');
  });

  test('from the batched summaries alone', () => {
    const snapshot = healthyLinux({
      complianceSummaries: [{ ComplianceType: 'Custom:Inspec', Status: 'NON_COMPLIANT', OverallSeverity: 'CRITICAL', NonCompliantSummary: { NonCompliantCount: 3 } }],
    });
    expect(causeOf(snapshot, 'CUSTOM_NONCOMPLIANT')).toMatchObject({ severity: 'CRITICAL', evidence: expect.objectContaining({ nonCompliantCount: 3 }) });
  });
});

describe('diagnosis envelope', () => {
  test('nodeName is the Name tag; the hostname only when there is none, as hostname', () => {
    const named = diagnose(healthyLinux({ tags: { Name: 'web-1' } }), DEFAULT_SETTINGS);
    expect(named.nodeName).toBe('web-1');
    expect(named.hostname).toBeUndefined();
    const unnamed = diagnose(healthyLinux({ tags: {} }), DEFAULT_SETTINGS);
    expect(unnamed.nodeName).toBeUndefined();
    expect(unnamed.hostname).toBe('ip-10-0-0-1.eu-west-1.compute.internal');
  });

  test('console links point at the node\'s region, none without a region', () => {
    const cause = causeOf(withPatchState(healthyLinux({ region: 'ap-southeast-2' }), { MissingCount: 1 }), 'MISSING_PATCHES');
    expect(cause.consoleLinks.length).toBeGreaterThan(0);
    for (const link of cause.consoleLinks) expect(link.url).toMatch(/^https:\/\/ap-southeast-2\.console\.aws\.amazon\.com\/systems-manager\/.*region=ap-southeast-2$/);
    const noRegion = withPatchState(healthyLinux(), { MissingCount: 1 });
    delete noRegion.region;
    expect(causeOf(noRegion, 'MISSING_PATCHES').consoleLinks).toEqual([]);
  });

  test('every summary is one line', () => {
    const snapshot = withPatchState(healthyLinux({ commandInvocations: [patchCommand('Failed', AFTER_SCAN)] }), {
      MissingCount: 1, FailedCount: 1, InstalledPendingRebootCount: 1, InstalledRejectedCount: 1,
    });
    const diagnosis = diagnose(snapshot, DEFAULT_SETTINGS);
    expect(diagnosis.causes.map((cause) => cause.code)).toEqual([
      'MISSING_PATCHES', 'FAILED_PATCHES', 'PENDING_REBOOT', 'REJECTED_PATCHES_INSTALLED', 'PATCH_OPERATION_FAILED',
    ]);
    const remediations: RemediationAction[] = diagnosis.causes.map((cause) => cause.remediation);
    expect(remediations).toEqual(['INSTALL_PATCHES', 'NOTIFY', 'REBOOT_NODE', 'NOTIFY', 'NOTIFY']);
    for (const cause of diagnosis.causes) expect(cause.summary).not.toMatch(/\n/);
  });
});
