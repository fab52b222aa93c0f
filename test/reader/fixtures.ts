/** SDK-shaped responses (Dates as the SDK deserialises them) for reader tests. */
import type { InstanceInformation, InstancePatchState, PatchComplianceData, PatchComplianceDataState } from '@aws-sdk/client-ssm';

export const NOW = new Date('2026-11-20T14:00:00.000Z');
export const fixedClock = { now: () => NOW };

export function nodeIds(count: number, prefix = 'i-0aa'): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}${index.toString(16).padStart(14, '0')}`);
}

export function onlineInfo(instanceId: string, extra: Partial<InstanceInformation> = {}): InstanceInformation {
  return {
    InstanceId: instanceId,
    PingStatus: 'Online',
    LastPingDateTime: new Date('2026-11-20T13:59:00.000Z'),
    PlatformType: 'Linux',
    PlatformName: 'Amazon Linux',
    PlatformVersion: '2023',
    ResourceType: instanceId.startsWith('mi-') ? 'ManagedInstance' : 'EC2Instance',
    ComputerName: `host-${instanceId}`,
    AssociationStatus: 'Success',
    ...extra,
  };
}

export function cleanPatchState(instanceId: string, extra: Partial<InstancePatchState> = {}): InstancePatchState {
  return {
    InstanceId: instanceId,
    PatchGroup: '',
    BaselineId: 'pb-0c10e65780EXAMPLE',
    OwnerInformation: '',
    InstalledCount: 400,
    MissingCount: 0,
    FailedCount: 0,
    InstalledPendingRebootCount: 0,
    InstalledRejectedCount: 0,
    NotApplicableCount: 1500,
    Operation: 'Scan',
    OperationStartTime: new Date('2026-11-20T02:10:00.000Z'),
    OperationEndTime: new Date('2026-11-20T02:11:00.000Z'),
    ...extra,
  };
}

/** A DescribeInstancePatches entry; `state` as real responses spell it (`Missing`), which the SDK enum type does not know. */
export function sdkPatch(kbId: string, state: string, extra: Partial<PatchComplianceData> = {}): PatchComplianceData {
  return {
    Title: kbId,
    KBId: kbId,
    Classification: 'Security',
    Severity: 'Important',
    State: state as PatchComplianceDataState,
    InstalledTime: new Date(0),
    ...extra,
  };
}
