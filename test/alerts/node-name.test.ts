/**
 * Issue 15, item 3: alerts name EC2 nodes by their Name tag (subject and body); the hostname appears
 * only when there is no Name tag, and then labelled as a hostname. README's example subject is what
 * the code composes for the example snapshot it names.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composeDiagnosisAlert } from '../../lambdas/domain/alerts/diagnosis';
import { planRemediation } from '../../lambdas/domain/policy/plan';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { decisionFor, exampleDiagnosis, exampleSnapshot } from './diagnoses';

const env = { account: '111122223333', region: 'eu-west-1' };

test("README's example subject is reproduced from examples/pending-reboot.json (live mode, command sent)", () => {
  const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const example = /e\.g\.\n`(\[PENDING_REBOOT\][^`]+)`/.exec(readme)?.[1];
  expect(example).toBeDefined();
  const snapshot = exampleSnapshot('pending-reboot');
  const diagnosis = exampleDiagnosis('pending-reboot');
  const decision = planRemediation(diagnosis, snapshot.tags ?? {}, { ...DEFAULT_SETTINGS, mode: 'auto' });
  const alert = composeDiagnosisAlert({ diagnosis, decision, outcome: { kind: 'COMMAND_SENT', commandId: 'c0ffee00-0000-4000-8000-000000000001' } }, env);
  expect(alert.subject).toBe(example);
  expect(alert.text).toContain('Instance: i-0e3b07d5b6f83a4d9 (Name: sql-reporting-1)');
});

test('no Name tag: the hostname, labelled, in subject and body; never presented as a Name', () => {
  const diagnosis = exampleDiagnosis('pending-reboot', (snapshot) => ({ ...snapshot, tags: { ComplianceAutopilot: 'auto' } }));
  expect(diagnosis.nodeName).toBeUndefined();
  const hostname = exampleSnapshot('pending-reboot').instanceInformation?.ComputerName;
  expect(hostname).toBeTruthy();
  const alert = composeDiagnosisAlert({ diagnosis, decision: decisionFor(diagnosis), outcome: { kind: 'NOTIFIED' } }, env);
  expect(alert.subject).toContain(`host ${hostname} (i-0e3b07d5b6f83a4d9)`);
  expect(alert.text).toContain(`(no Name tag; hostname: ${hostname})`);
  expect(alert.text).not.toContain('Name: ');
});
