/** Snapshot builders for the diagnosis tables: a healthy Online Linux node, overridden per case. */
import type { NodeSnapshot } from '../../lambdas/domain/types';

export const CAPTURED_AT = '2026-11-20T14:00:00.000Z';
export const LAST_SCAN_END = '2026-11-20T02:11:00.000Z';

export function healthyLinux(overrides: Partial<NodeSnapshot> = {}): NodeSnapshot {
  const instanceId = overrides.instanceId ?? 'i-0123456789abcdef0';
  return {
    instanceId,
    capturedAt: CAPTURED_AT,
    region: 'eu-west-1',
    instanceInformation: {
      InstanceId: instanceId,
      PingStatus: 'Online',
      LastPingDateTime: '2026-11-20T13:59:00.000Z',
      PlatformType: 'Linux',
      PlatformName: 'Amazon Linux',
      PlatformVersion: '2023',
      ResourceType: 'EC2Instance',
      ComputerName: 'ip-10-0-0-1.eu-west-1.compute.internal',
    },
    patchState: {
      InstanceId: instanceId,
      BaselineId: 'arn:aws:ssm:eu-west-1:123456789012:patchbaseline/pb-0c10e65780EXAMPLE',
      InstalledCount: 400,
      InstalledOtherCount: 20,
      InstalledPendingRebootCount: 0,
      InstalledRejectedCount: 0,
      MissingCount: 0,
      FailedCount: 0,
      NotApplicableCount: 1500,
      Operation: 'Scan',
      OperationStartTime: '2026-11-20T02:10:00.000Z',
      OperationEndTime: LAST_SCAN_END,
      RebootOption: 'RebootIfNeeded',
      CriticalNonCompliantCount: 0,
      SecurityNonCompliantCount: 0,
      OtherNonCompliantCount: 0,
    },
    patches: [],
    complianceItems: [],
    complianceSummaries: [],
    associationStatuses: [],
    commandInvocations: [],
    tags: {},
    ...overrides,
  };
}

export function withPatchState(snapshot: NodeSnapshot, patch: Partial<NonNullable<NodeSnapshot['patchState']>>): NodeSnapshot {
  if (!snapshot.patchState) throw new Error('builder: snapshot has no patchState');
  return { ...snapshot, patchState: { ...snapshot.patchState, ...patch } };
}

export function windowsNode(overrides: Partial<NodeSnapshot> = {}): NodeSnapshot {
  const base = healthyLinux(overrides);
  return {
    ...base,
    instanceInformation: {
      ...base.instanceInformation!,
      PlatformType: 'Windows',
      PlatformName: 'Microsoft Windows Server 2022 Datacenter',
      ComputerName: 'EC2AMAZ-ABC1234',
    },
  };
}
