import { diagnose } from '../../lambdas/domain/diagnose';
import { normalizePatchState } from '../../lambdas/domain/patch-state';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { parseSnapshot } from '../../lambdas/domain/snapshot-schema';

describe('normalizePatchState', () => {
  test.each([
    ['InstalledPendingReboot', 'InstalledPendingReboot'],
    ['INSTALLED_PENDING_REBOOT', 'InstalledPendingReboot'],
    ['INSTALLED_REJECTED', 'InstalledRejected'],
    ['InstalledOther', 'InstalledOther'],
    ['INSTALLED_OTHER', 'InstalledOther'],
    ['MISSING', 'Missing'],
    ['NOT_APPLICABLE', 'NotApplicable'],
    ['AVAILABLE_SECURITY_UPDATE', 'AvailableSecurityUpdate'],
    ['Failed', 'Failed'],
    ['Bogus', 'Unknown'],
    [undefined, 'Unknown'],
  ])('%s -> %s', (raw, expected) => {
    expect(normalizePatchState(raw)).toBe(expected);
  });
});

describe('parseSnapshot', () => {
  test('a minimal hand-written snapshot: missing arrays are none, patchState null, instanceId taken from the data', () => {
    const snapshot = parseSnapshot(
      {
        capturedAt: '2026-11-20T14:00:00Z',
        instanceInformation: { InstanceId: 'i-0abc', PingStatus: 'Online', PlatformType: 'Linux', SomethingNew: { nested: true } },
      },
      'test',
    );
    expect(snapshot.instanceId).toBe('i-0abc');
    expect(snapshot.patchState).toBeNull();
    expect(snapshot.instanceInformation?.['SomethingNew']).toEqual({ nested: true });
    expect(diagnose(snapshot, DEFAULT_SETTINGS).causes.map((cause) => cause.code)).toEqual(['PATCH_SCAN_MISSING']);
  });

  test('without capturedAt, "now" is the latest time the snapshot mentions (an old snapshot does not turn stale)', () => {
    const snapshot = parseSnapshot(
      {
        instanceInformation: { InstanceId: 'i-0abc', PingStatus: 'Online', PlatformType: 'Linux', LastPingDateTime: '2024-03-01T10:00:00Z' },
        patchState: { InstanceId: 'i-0abc', MissingCount: 2, OperationEndTime: '2024-02-29T02:00:00Z' },
      },
      'test',
      new Date('2026-11-20T00:00:00Z'),
    );
    expect(snapshot.capturedAt).toBe('2024-03-01T10:00:00.000Z');
    expect(diagnose(snapshot, DEFAULT_SETTINGS).causes.map((cause) => cause.code)).toEqual(['MISSING_PATCHES']);
  });

  test('raw API responses are unwrapped, epoch-second times converted, tag lists accepted', () => {
    const snapshot = parseSnapshot(
      {
        instanceId: 'i-0abc',
        capturedAt: 1763647200,
        instanceInformation: { InstanceInformationList: [{ InstanceId: 'i-0abc', PingStatus: 'Online', PlatformType: 'Windows' }] },
        patchState: { InstancePatchStates: [{ InstanceId: 'i-0abc', InstalledPendingRebootCount: 1, OperationEndTime: 1763600000 }] },
        patches: { Patches: [{ Title: 'KB1', KBId: 'KB5068787', State: 'INSTALLED_PENDING_REBOOT' }] },
        tags: [{ Key: 'Name', Value: 'sql-1' }],
        complianceItems: null,
      },
      'test',
    );
    expect(snapshot.capturedAt).toBe('2025-11-20T14:00:00.000Z');
    expect(snapshot.patchState?.OperationEndTime).toBe(new Date(1763600000 * 1000).toISOString());
    expect(snapshot.tags).toEqual({ Name: 'sql-1' });
    expect(snapshot.complianceItems).toBeUndefined();
    const diagnosis = diagnose(snapshot, DEFAULT_SETTINGS);
    expect(diagnosis.nodeName).toBe('sql-1');
    expect(diagnosis.causes.map((cause) => cause.code)).toEqual(['PENDING_REBOOT']);
  });

  test.each([
    [{ instanceId: 'i-1', patchState: { InstanceId: 'i-1', MissingCount: 'three' } }, 'patchState.MissingCount'],
    [{ instanceId: 'i-1', patchState: { InstanceId: 'i-1', OperationEndTime: 'yesterday' } }, 'patchState.OperationEndTime'],
    [{ instanceId: 'i-1', patches: [{ State: 42 }] }, 'patches.0.State'],
    [{ capturedAt: '2026-11-20T00:00:00Z' }, 'instanceId'],
    ['not an object', '(root)'],
  ])('invalid input names the field (%#)', (input, field) => {
    expect(() => parseSnapshot(input, 'bad.json')).toThrow(new RegExp(`Invalid snapshot in bad\\.json:[\\s\\S]*${field.replace(/[.()]/g, '\\$&')}`));
  });
});
