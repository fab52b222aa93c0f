import { composeCommandFailedAlert } from '../../lambdas/domain/alerts/command-failed';
import { deferralNeedsAlert } from '../../lambdas/domain/alerts/deferral';
import { composeDiagnosisAlert } from '../../lambdas/domain/alerts/diagnosis';
import { alertFingerprint, causeFingerprint, stableEvidence } from '../../lambdas/domain/alerts/fingerprint';
import { composeResolvedAlert } from '../../lambdas/domain/alerts/resolved';
import { fitSnsMessage, SNS_MESSAGE_MAX_BYTES, toSnsMessage } from '../../lambdas/domain/alerts/sns-message';
import { composeSubject } from '../../lambdas/domain/alerts/subject';
import type { DiagnosisAlertInput } from '../../lambdas/domain/alerts/types';
import { decisionFor, exampleDiagnosis } from './diagnoses';

const env = { account: '111122223333', region: 'eu-west-1' };

function expectValidSubject(subject: string): void {
  expect(subject.length).toBeLessThan(100);
  // eslint-disable-next-line no-control-regex
  expect(subject).not.toMatch(/[\u0000-\u001f\u007f]/);
}

describe('diagnosis alerts', () => {
  const diagnosis = exampleDiagnosis('pending-reboot', (snapshot) => ({ ...snapshot, tags: { ...snapshot.tags, Name: 'web-1' } }));

  test('a sent reboot names cause, node, Name tag and what happens next', () => {
    const alert = composeDiagnosisAlert(
      { diagnosis, decision: decisionFor(diagnosis), outcome: { kind: 'COMMAND_SENT', commandId: 'b8e3c0e4-71f7-4491-898f-c9b35bee5f3b' } },
      env,
    );
    expect(alert.kind).toBe('DIAGNOSIS');
    expect(alert.subject).toMatch(/^\[PENDING_REBOOT( \+\d+)?\] web-1 \(i-0e3b07d5b6f83a4d9\): rebooting via RunPatchBaseline$/);
    expectValidSubject(alert.subject);
    expect(alert.text).toContain('WHAT IS WRONG');
    expect(alert.text).toContain('command b8e3c0e4-71f7-4491-898f-c9b35bee5f3b');
    expect(alert.text).toContain('RebootOption=RebootIfNeeded');
    expect(alert.text).toContain('installedPendingRebootCount:');
    expect(alert.text).toContain('https://eu-west-1.console.aws.amazon.com/systems-manager/run-command/b8e3c0e4-71f7-4491-898f-c9b35bee5f3b');
    expect(alert.attributes).toEqual({
      kind: 'DIAGNOSIS',
      cause: alert.document.causes[0]?.code,
      severity: alert.document.severity,
      action: 'REBOOT_NODE',
      instance: 'i-0e3b07d5b6f83a4d9',
      account: '111122223333',
      region: 'eu-west-1',
    });
  });

  test('dry run is marked in subject and body', () => {
    const alert = composeDiagnosisAlert(
      { diagnosis, decision: decisionFor(diagnosis, { dryRun: true }), outcome: { kind: 'DRY_RUN' } },
      env,
    );
    expect(alert.subject).toMatch(/^\[DRY RUN PENDING_REBOOT/);
    expect(alert.subject).toContain(': would reboot (RunPatchBaseline)');
    // Said once, in the tag; the node name keeps its room.
    expect(alert.subject.match(/DRY RUN/g)).toHaveLength(1);
    expect(alert.text).toContain('NOTHING WAS CHANGED');
    expect(alert.document.dryRun).toBe(true);
  });

  test('deferred, exhausted and notify outcomes say so in the subject', () => {
    const base = { diagnosis, decision: decisionFor(diagnosis) };
    const deferred = composeDiagnosisAlert(
      { ...base, outcome: { kind: 'DEFERRED', guard: 'CALENDAR_CLOSED', reason: 'change calendar prod-freeze is CLOSED' } },
      env,
    );
    expect(deferred.kind).toBe('REMEDIATION_DEFERRED');
    expect(deferred.subject).toMatch(/: deferred \(change calendar CLOSED\)$/);
    expect(deferred.text).toContain('Deferred, not dropped: change calendar prod-freeze is CLOSED');

    const exhausted = composeDiagnosisAlert(
      { ...base, outcome: { kind: 'EXHAUSTED', attempts: 2, windowHours: 24, reason: 'PENDING_REBOOT persisted' } },
      env,
    );
    expect(exhausted.kind).toBe('REMEDIATION_EXHAUSTED');
    expect(exhausted.subject).toMatch(/^\[EXHAUSTED PENDING_REBOOT\] .*: gave up after 2 attempts, needs a human$/);

    const notified = composeDiagnosisAlert({ ...base, decision: decisionFor(diagnosis, { action: 'NOTIFY', nodeMode: 'notify' }), outcome: { kind: 'NOTIFIED' } }, env);
    expect(notified.subject).toMatch(/: needs a human$/);
    expect(notified.text).toContain('Nothing was changed on the node');
  });

  test('only a CLOSED calendar deferral pages; self-clearing deferrals do not', () => {
    expect(deferralNeedsAlert('CALENDAR_CLOSED')).toBe(true);
    for (const guard of ['COOLDOWN', 'NODE_TOO_YOUNG', 'REBOOT_CAP', 'REMEDIATION_CAP'] as const) expect(deferralNeedsAlert(guard)).toBe(false);
  });

  test('every example diagnosis composes a valid subject and a JSON-parsable SNS message', () => {
    for (const name of ['association-failed', 'custom-noncompliant', 'failed-patches', 'inventory-association-failed', 'missing-patches', 'node-unreachable', 'patch-operation-failed', 'patch-scan-missing', 'patch-scan-stale', 'rejected-patches-installed', 'security-updates-not-approved']) {
      const exampleDiag = exampleDiagnosis(name);
      expect(exampleDiag.causes.length).toBeGreaterThan(0);
      const alert = composeDiagnosisAlert({ diagnosis: exampleDiag, decision: decisionFor(exampleDiag), outcome: { kind: 'NOTIFIED' } }, env);
      expectValidSubject(alert.subject);
      expect(alert.subject).toContain(exampleDiag.instanceId);
      const structure = JSON.parse(toSnsMessage(alert).message) as Record<string, string>;
      expect(Object.keys(structure).sort()).toEqual(['default', 'email', 'http', 'https', 'lambda', 'sqs']);
      for (const value of Object.values(structure)) expect(typeof value).toBe('string');
      expect(structure['email']).toBe(alert.text);
      expect(JSON.parse(structure['sqs'] ?? '')).toMatchObject({ kind: 'DIAGNOSIS', instanceId: exampleDiag.instanceId });
    }
  });
});

describe('subjects', () => {
  test('long Name tags, line breaks and hybrid IDs still give a subject under 100 characters that keeps the ID', () => {
    const subject = composeSubject({
      tag: 'MISSING_PATCHES +3',
      instanceId: 'mi-0123456789abcdef0',
      nodeName: `payments-${'x'.repeat(200)}\nsecond line`,
      next: 'deferred (change calendar CLOSED)',
    });
    expectValidSubject(subject);
    expect(subject).toContain('(mi-0123456789abcdef0)');
    expect(subject.startsWith('[MISSING_PATCHES +3] payments-')).toBe(true);
    expect(subject.endsWith(': deferred (change calendar CLOSED)')).toBe(true);
  });

  test('a subject that fits is left alone', () => {
    expect(composeSubject({ tag: 'PENDING_REBOOT', instanceId: 'i-0abc', nodeName: 'web-1', next: 'rebooting via RunPatchBaseline' })).toBe(
      '[PENDING_REBOOT] web-1 (i-0abc): rebooting via RunPatchBaseline',
    );
  });
});

describe('fingerprints', () => {
  test('volatile times do not change the fingerprint; a different patch list does', () => {
    const first = exampleDiagnosis('pending-reboot');
    const rescanned = exampleDiagnosis('pending-reboot', (snapshot) => ({
      ...snapshot,
      capturedAt: '2026-11-21T14:05:12.000Z',
      instanceInformation: snapshot.instanceInformation && { ...snapshot.instanceInformation, LastPingDateTime: '2026-11-21T14:04:00.000Z' },
      patchState: snapshot.patchState && { ...snapshot.patchState, OperationStartTime: '2026-11-21T02:00:00.000Z', OperationEndTime: '2026-11-21T02:10:00.000Z' },
    }));
    const cause = (diagnosis: typeof first) => diagnosis.causes.find((entry) => entry.code === 'PENDING_REBOOT');
    expect(cause(first)).toBeDefined();
    expect(causeFingerprint(first.instanceId, cause(first)!)).toBe(causeFingerprint(rescanned.instanceId, cause(rescanned)!));

    const morePending = { ...cause(first)!.evidence, installedPendingRebootCount: 99 };
    expect(alertFingerprint(first.instanceId, 'PENDING_REBOOT', morePending)).not.toBe(causeFingerprint(first.instanceId, cause(first)!));
    expect(alertFingerprint('i-other', 'PENDING_REBOOT', cause(first)!.evidence)).not.toBe(causeFingerprint(first.instanceId, cause(first)!));
  });

  test('stable evidence drops time keys and ISO values, keeps facts', () => {
    expect(stableEvidence({ lastPingDateTime: 'x', ageHours: 3, executionDate: '2026-01-01T00:00:00Z', b: 1, a: ['2026-01-01T00:00:00.000Z', 'KB1'] })).toEqual({
      a: [null, 'KB1'],
      b: 1,
    });
  });
});

describe('size limit', () => {
  test('huge evidence is cut to fit 256 KB and the alert says so', () => {
    const diagnosis = exampleDiagnosis('missing-patches');
    const huge = {
      ...diagnosis,
      causes: diagnosis.causes.map((cause) => ({
        ...cause,
        evidence: { ...cause.evidence, patches: Array.from({ length: 5000 }, (_, index) => ({ title: `Patch ${index} ${'y'.repeat(200)}`, kbId: `KB${index}` })) },
      })),
    };
    const input: DiagnosisAlertInput = { diagnosis: huge, decision: decisionFor(huge), outcome: { kind: 'NOTIFIED' } };
    const fitted = fitSnsMessage((budget) => composeDiagnosisAlert(input, env, budget));
    expect(fitted.bytes).toBeLessThanOrEqual(SNS_MESSAGE_MAX_BYTES);
    const structure = JSON.parse(fitted.message) as Record<string, string>;
    expect(structure['default']).toContain('Some evidence was cut');
    expect(structure['default']).toContain('more left out of this alert');
    expect(JSON.parse(structure['lambda'] ?? '')).toMatchObject({ truncated: true });
  });
});

describe('resolved and command-failed alerts', () => {
  test('resolved names the causes that went away', () => {
    const alert = composeResolvedAlert({ instanceId: 'i-0abc', nodeName: 'web-1', resolvedCauses: ['PENDING_REBOOT', 'MISSING_PATCHES'], capturedAt: '2026-11-22T08:00:00.000Z' }, env);
    expect(alert.subject).toBe('[RESOLVED PENDING_REBOOT +1] web-1 (i-0abc): compliant again, nothing to do');
    expect(alert.attributes).toMatchObject({ kind: 'RESOLVED', cause: 'PENDING_REBOOT', severity: 'INFORMATIONAL', action: 'NONE' });
    expect(alert.text).toContain('Resolved: PENDING_REBOOT, MISSING_PATCHES');
  });

  test('command failed carries the tail of the output and the logs to read', () => {
    const stdout = `${Array.from({ length: 3000 }, (_, index) => `line ${index} of yum output`).join('\n')}\nError: Cannot find a valid baseurl for repo: amzn2-core/2/x86_64\n`;
    const alert = composeCommandFailedAlert(
      {
        instanceId: 'i-0abc',
        commandId: 'cmd-1',
        documentName: 'AWS-RunPatchBaseline',
        status: 'Failed',
        statusDetails: 'Failed',
        responseCode: 1,
        standardErrorContent: 'failed to run commands: exit status 1',
        standardOutputContent: stdout,
        platform: 'Linux',
        action: 'INSTALL_PATCHES',
        causes: ['MISSING_PATCHES'],
      },
      env,
    );
    expect(alert.subject).toBe('[PATCH_OPERATION_FAILED] i-0abc: our command Failed, needs a human');
    expect(alert.text).toContain('Cannot find a valid baseurl for repo');
    expect(alert.text).not.toContain('line 0 of yum output');
    expect(alert.text).toContain('failed to run commands: exit status 1');
    expect(alert.text).toContain('/var/lib/amazon/ssm/i-0abc/document/orchestration/cmd-1');
    expect(alert.document.truncated).toBe(true);
  });
});

test('a cause tag too long for any name drops the name, never the instance ID', () => {
  const subject = composeSubject({ tag: 'SECURITY_UPDATES_NOT_APPROVED +3', instanceId: 'mi-0123456789abcdef0', nodeName: 'payments-api-blue', next: 'x'.repeat(120) });
  expect(subject.length).toBeLessThan(100);
  expect(subject).toContain('mi-0123456789abcdef0');
  expect(subject.endsWith('...')).toBe(true);
});

test('while our command works on a cause, on-call is not told to run it by hand; other causes keep their steps', () => {
  const diagnosis = exampleDiagnosis('pending-reboot');
  const withOther = {
    ...diagnosis,
    causes: [
      ...diagnosis.causes,
      { code: 'NODE_UNREACHABLE' as const, remediation: 'NOTIFY' as const, severity: 'HIGH' as const, summary: 'agent offline', evidence: {}, nextSteps: ['Restart the SSM agent'], consoleLinks: [] },
    ],
  };
  const alert = composeDiagnosisAlert(
    { diagnosis: withOther, decision: decisionFor(withOther, { causes: ['PENDING_REBOOT'] }), outcome: { kind: 'COMMAND_SENT', commandId: 'cmd-1' } },
    { region: 'eu-west-1' },
  );
  const nextSteps = alert.text.split('NEXT STEPS')[1]!.split('CONSOLE')[0]!;
  expect(nextSteps).toContain('None for PENDING_REBOOT while the command runs');
  expect(nextSteps).not.toContain('Operation=Install and RebootOption=RebootIfNeeded');
  expect(nextSteps).toContain('Restart the SSM agent');
});
