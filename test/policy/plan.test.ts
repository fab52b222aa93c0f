import { planRemediation, nodeModeOf } from '../../lambdas/domain/policy/plan';
import { DEFAULT_SETTINGS, type AutopilotSettings } from '../../lambdas/domain/settings';
import type { Cause, CauseCode, Diagnosis, RemediationAction } from '../../lambdas/domain/types';

function cause(code: CauseCode, remediation: RemediationAction, associationIds?: string[]): Cause {
  return { code, remediation, severity: 'HIGH', summary: code, evidence: {}, nextSteps: [], consoleLinks: [], ...(associationIds ? { associationIds } : {}) };
}

function diagnosisOf(...causes: Cause[]): Diagnosis {
  return { instanceId: 'i-0123456789abcdef0', capturedAt: '2026-11-20T10:00:00.000Z', platform: 'Linux', compliant: causes.length === 0, causes };
}

const AUTO = { ComplianceAutopilot: 'auto' };
const settings = (overrides: Partial<AutopilotSettings> = {}): AutopilotSettings => ({ ...DEFAULT_SETTINGS, ...overrides });
const missing = cause('MISSING_PATCHES', 'INSTALL_PATCHES');
const reboot = cause('PENDING_REBOOT', 'REBOOT_NODE');
const failed = cause('FAILED_PATCHES', 'NOTIFY');
const unreachable = cause('NODE_UNREACHABLE', 'NOTIFY');
const association = cause('ASSOCIATION_FAILED', 'RERUN_ASSOCIATION', ['assoc-1']);
const operationFailed = cause('PATCH_OPERATION_FAILED', 'NOTIFY');

describe('planRemediation', () => {
  it.each([
    ['compliant node', diagnosisOf(), AUTO, settings(), 'NONE', []],
    ['opted-out node (tag off, any case)', diagnosisOf(missing), { ComplianceAutopilot: 'OFF' }, settings(), 'NONE', ['MISSING_PATCHES']],
    ['missing patches', diagnosisOf(missing), AUTO, settings(), 'INSTALL_PATCHES', ['MISSING_PATCHES']],
    ['pending reboot', diagnosisOf(reboot), AUTO, settings(), 'REBOOT_NODE', ['PENDING_REBOOT']],
    ['missing + pending reboot: ONE install that reboots', diagnosisOf(missing, reboot), AUTO, settings(), 'REBOOT_NODE', ['MISSING_PATCHES', 'PENDING_REBOOT']],
    ['unreachable wins over everything', diagnosisOf(missing, reboot, unreachable), AUTO, settings(), 'NOTIFY', ['MISSING_PATCHES', 'PENDING_REBOOT', 'NODE_UNREACHABLE']],
    ['notify-only cause', diagnosisOf(failed), AUTO, settings(), 'NOTIFY', ['FAILED_PATCHES']],
    ['actionable + notify cause: act on the actionable one', diagnosisOf(missing, failed), AUTO, settings(), 'INSTALL_PATCHES', ['MISSING_PATCHES']],
    ['association re-run when allowed', diagnosisOf(association), AUTO, settings({ rerunFailedAssociations: true }), 'RERUN_ASSOCIATION', ['ASSOCIATION_FAILED']],
    ['association re-run disabled', diagnosisOf(association), AUTO, settings(), 'NOTIFY', ['ASSOCIATION_FAILED']],
    ['install beats association re-run', diagnosisOf(association, missing), AUTO, settings({ rerunFailedAssociations: true }), 'INSTALL_PATCHES', ['MISSING_PATCHES']],
    ['failed operation retried only when allowed', diagnosisOf(operationFailed), AUTO, settings({ retryFailedPatchOperations: true }), 'INSTALL_PATCHES', ['PATCH_OPERATION_FAILED']],
    ['failed operation notified by default', diagnosisOf(operationFailed), AUTO, settings(), 'NOTIFY', ['PATCH_OPERATION_FAILED']],
    ['scope notify', diagnosisOf(missing), { ComplianceAutopilot: 'notify' }, settings(), 'NOTIFY', ['MISSING_PATCHES']],
    ['untagged node uses defaultNodeMode (notify)', diagnosisOf(missing), {}, settings(), 'NOTIFY', ['MISSING_PATCHES']],
    ['unknown tag value uses defaultNodeMode (auto)', diagnosisOf(missing), { ComplianceAutopilot: 'yes please' }, settings({ defaultNodeMode: 'auto' }), 'INSTALL_PATCHES', ['MISSING_PATCHES']],
    ['global notify-only', diagnosisOf(reboot), AUTO, settings({ mode: 'notify-only' }), 'NOTIFY', ['PENDING_REBOOT']],
  ] as const)('%s', (_name, diagnosis, tags, config, action, causes) => {
    const decision = planRemediation(diagnosis, tags, config);
    expect(decision.action).toBe(action);
    expect(decision.causes).toEqual(causes);
    expect(decision.reason).not.toMatch(/\n/);
  });

  it('dry-run keeps the action and marks it', () => {
    const decision = planRemediation(diagnosisOf(reboot), AUTO, settings({ mode: 'dry-run' }));
    expect(decision).toMatchObject({ action: 'REBOOT_NODE', dryRun: true, nodeMode: 'auto' });
    expect(decision.reason).toMatch(/^dry run: would install patches and reboot/);
  });

  it('says what it would have done in notify scope, and what it alerts about besides acting', () => {
    expect(planRemediation(diagnosisOf(missing), { ComplianceAutopilot: 'Notify' }, settings()).reason).toContain('would install patches');
    expect(planRemediation(diagnosisOf(missing, failed), AUTO, settings()).reason).toContain('alerting about FAILED_PATCHES');
  });

  it('carries the association IDs to re-run', () => {
    expect(planRemediation(diagnosisOf(association), AUTO, settings({ rerunFailedAssociations: true })).associationIds).toEqual(['assoc-1']);
  });

  it('reads the scope from the configured tag key', () => {
    expect(nodeModeOf({ Patching: ' Auto ' }, { tagKey: 'Patching', defaultNodeMode: 'off' })).toBe('auto');
    expect(nodeModeOf({ ComplianceAutopilot: 'auto' }, { tagKey: 'Patching', defaultNodeMode: 'off' })).toBe('off');
  });
});
