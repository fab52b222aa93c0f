import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnose } from '../../lambdas/domain/diagnose';
import { DEFAULT_SETTINGS, parseSettings } from '../../lambdas/domain/settings';
import { parseSnapshot } from '../../lambdas/domain/snapshot-schema';
import type { CauseCode, RemediationAction } from '../../lambdas/domain/types';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const load = (file: string) => parseSnapshot(JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')), file);

const EXPECTED: Record<string, [CauseCode, RemediationAction] | null> = {
  'healthy-linux.json': null,
  'healthy-windows.json': null,
  'missing-patches.json': ['MISSING_PATCHES', 'INSTALL_PATCHES'],
  'failed-patches.json': ['FAILED_PATCHES', 'NOTIFY'],
  'pending-reboot.json': ['PENDING_REBOOT', 'REBOOT_NODE'],
  'rejected-patches-installed.json': ['REJECTED_PATCHES_INSTALLED', 'NOTIFY'],
  'patch-operation-failed.json': ['PATCH_OPERATION_FAILED', 'NOTIFY'],
  'security-updates-not-approved.json': ['SECURITY_UPDATES_NOT_APPROVED', 'NOTIFY'],
  'association-failed.json': ['ASSOCIATION_FAILED', 'NOTIFY'],
  'inventory-association-failed.json': ['INVENTORY_ASSOCIATION_FAILED', 'NOTIFY'],
  'custom-noncompliant.json': ['CUSTOM_NONCOMPLIANT', 'NOTIFY'],
  'node-unreachable.json': ['NODE_UNREACHABLE', 'NOTIFY'],
  'patch-scan-missing.json': ['PATCH_SCAN_MISSING', 'NOTIFY'],
  'patch-scan-stale.json': ['PATCH_SCAN_STALE', 'NOTIFY'],
};

test('every example file has an expectation and every cause code has an example', () => {
  const files = readdirSync(EXAMPLES).filter((file) => file.endsWith('.json')).sort();
  expect(files).toEqual(Object.keys(EXPECTED).sort());
  const covered = new Set(Object.values(EXPECTED).flatMap((entry) => (entry ? [entry[0]] : [])));
  expect(covered.size).toBe(12);
});

test.each(Object.entries(EXPECTED))('%s diagnoses as expected', (file, expected) => {
  const diagnosis = diagnose(load(file), DEFAULT_SETTINGS);
  if (expected === null) {
    expect(diagnosis.compliant).toBe(true);
    expect(diagnosis.causes).toEqual([]);
    return;
  }
  expect(diagnosis.compliant).toBe(false);
  expect(diagnosis.causes.map((cause) => [cause.code, cause.remediation])).toEqual([expected]);
  const cause = diagnosis.causes[0]!;
  expect(cause.summary.length).toBeGreaterThan(10);
  expect(cause.nextSteps.length).toBeGreaterThan(0);
  expect(cause.consoleLinks.every((link) => link.url.includes('region=eu-west-1'))).toBe(true);
});

test('opt-in settings change the association and patch-operation remediations', () => {
  const settings = parseSettings({ rerunFailedAssociations: true, retryFailedPatchOperations: true }, 'test');
  expect(diagnose(load('association-failed.json'), settings).causes[0]).toMatchObject({
    remediation: 'RERUN_ASSOCIATION',
    associationIds: ['f1e2d3c4-b5a6-4978-8a6b-5c4d3e2f1a0b'],
  });
  expect(diagnose(load('inventory-association-failed.json'), settings).causes[0]?.remediation).toBe('RERUN_ASSOCIATION');
  expect(diagnose(load('patch-operation-failed.json'), settings).causes[0]?.remediation).toBe('INSTALL_PATCHES');
});

test('healthy Windows example carries the security-update note', () => {
  expect(diagnose(load('healthy-windows.json'), DEFAULT_SETTINGS).notes).toHaveLength(1);
});
