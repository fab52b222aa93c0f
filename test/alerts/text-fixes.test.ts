/**
 * Alert text that must not mislead (issue 17, item 8): no 1970 times, DRY RUN said once with the node
 * name kept, known values filled into next steps, the package manager of the node's distribution,
 * ages in days past 48 h, the agent's own error message on its own line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeDiagnosisAlert } from '../../lambdas/domain/alerts/diagnosis';
import type { ActionOutcome } from '../../lambdas/domain/alerts/types';
import { packageManagerOf } from '../../lambdas/domain/causes/next-steps';
import { diagnose } from '../../lambdas/domain/diagnose';
import { planRemediation } from '../../lambdas/domain/policy/plan';
import { DEFAULT_SETTINGS, type AutopilotSettings } from '../../lambdas/domain/settings';
import type { NodeSnapshot } from '../../lambdas/domain/types';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const env = { account: '111122223333', region: 'eu-west-1' };

function example(name: string): NodeSnapshot {
  return JSON.parse(readFileSync(join(EXAMPLES, `${name}.json`), 'utf8')) as NodeSnapshot;
}

function alertFor(snapshot: NodeSnapshot, settings: AutopilotSettings = DEFAULT_SETTINGS, outcome?: ActionOutcome) {
  const diagnosis = diagnose(snapshot, settings);
  const decision = planRemediation(diagnosis, snapshot.tags ?? {}, settings);
  return composeDiagnosisAlert({ diagnosis, decision, outcome: outcome ?? (settings.mode === 'dry-run' ? { kind: 'DRY_RUN' } : { kind: 'NOTIFIED' }) }, env);
}

const NON_COMPLIANT = ['association-failed', 'custom-noncompliant', 'failed-patches', 'inventory-association-failed', 'missing-patches', 'node-unreachable', 'patch-operation-failed', 'patch-scan-missing', 'patch-scan-stale', 'pending-reboot', 'rejected-patches-installed', 'security-updates-not-approved'];

describe.each(NON_COMPLIANT)('%s', (name) => {
  it('has no 1970 time and no <node>/<type>/<pkg> placeholder; DRY RUN appears once in the subject', () => {
    for (const mode of ['auto', 'dry-run'] as const) {
      const alert = alertFor(example(name), { ...DEFAULT_SETTINGS, mode });
      expect(alert.text).not.toContain('1970-01-01');
      expect(alert.text).not.toMatch(/<(node|type|pkg|instance-id|command-id)>/);
      expect(alert.subject.match(/DRY RUN/g) ?? []).toHaveLength(mode === 'dry-run' ? 1 : 0);
    }
  });
});

it('a patch SSM reports with InstalledTime epoch 0 has no installedTime in the evidence', () => {
  const snapshot = example('missing-patches');
  expect((snapshot.patches ?? []).some((patch) => patch.InstalledTime?.startsWith('1970'))).toBe(true);
  const evidence = JSON.stringify(diagnose(snapshot, DEFAULT_SETTINGS).causes.map((cause) => cause.evidence));
  expect(evidence).not.toContain('installedTime');
});

it('dry run keeps the node name in the subject', () => {
  const alert = alertFor(example('pending-reboot'), { ...DEFAULT_SETTINGS, mode: 'dry-run' });
  expect(alert.subject).toBe('[DRY RUN PENDING_REBOOT] sql-reporting-1 (i-0e3b07d5b6f83a4d9): would reboot (RunPatchBaseline)');
});

it('custom compliance: the list command names the node and the type', () => {
  const alert = alertFor(example('custom-noncompliant'));
  expect(alert.text).toContain('aws ssm list-compliance-items --resource-ids mi-0b3c5d7e9f1a2b4c6 --resource-types ManagedInstance --filters Key=ComplianceType,Values=Custom:');
});

it.each([
  ['Ubuntu', 'apt', '/var/log/apt/history.log'],
  ['Debian GNU/Linux', 'apt', '/var/log/apt/history.log'],
  ['Amazon Linux', 'dnf/yum', '/var/log/dnf.log'],
  ['Red Hat Enterprise Linux', 'dnf/yum', '/var/log/dnf.log'],
  ['Rocky Linux', 'dnf/yum', '/var/log/dnf.log'],
  ['SLES', 'zypper', '/var/log/zypp/history'],
  ['openSUSE Leap', 'zypper', '/var/log/zypp/history'],
])('%s nodes get the %s log', (platformName, manager, log) => {
  expect(packageManagerOf(platformName)).toMatchObject({ name: manager, log: expect.stringContaining(log) });
  const snapshot = example('failed-patches');
  const alert = alertFor({ ...snapshot, instanceInformation: { ...snapshot.instanceInformation!, PlatformName: platformName } });
  expect(alert.text).toContain(`the ${manager} log ${packageManagerOf(platformName).log}`);
  expect(alert.text).toContain(`its ${manager} repositories`);
});

it('rejected patches: the downgrade command names the packages', () => {
  const alert = alertFor(example('rejected-patches-installed'));
  expect(alert.text).toMatch(/Downgrade with the package manager: (dnf downgrade|apt-get install|zypper install --oldpackage) \S+/);
  expect(alert.text).not.toContain('<pkg>');
});

it('a stale scan says its age in days past 48 h', () => {
  const alert = alertFor(example('patch-scan-stale'));
  expect(alert.text).toMatch(/Last patch Scan ended \d+ days ago \(limit 7 days\)/);
});

it('association failures show the agent\'s message on its own line', () => {
  const lines = alertFor(example('association-failed')).text.split('\n');
  const causeLine = lines.findIndex((line) => line.startsWith('  - ASSOCIATION_FAILED'));
  expect(lines[causeLine]).toContain('(error code 1)');
  expect(lines[causeLine + 1]).toBe('    Agent: 1 out of 1 plugin processed, 0 success, 1 failed, 0 timedout, 0 skipped. The operation configure failed because parameter store /cwagent/linux-config was not found.');
});
