/** Issue 15: the triage and sweep roles read the evaluated nodes' tags through the tagging API, nothing more. */
import type { Template } from 'aws-cdk-lib/assertions';
import { actionsOf, identityStatements, nagViolations, resourcesOf, synthTemplate } from './synth';

let template: Template;
beforeAll(() => {
  template = synthTemplate().template;
});

test('tag:GetResources: triage, sweep and report roles only, read-only, "*" (the action has no resource type)', () => {
  const statements = identityStatements(template).filter(({ statement }) => actionsOf(statement).some((action) => action.startsWith('tag:')));
  expect(statements.length).toBeGreaterThanOrEqual(2);
  for (const { statement, roles } of statements) {
    expect(actionsOf(statement)).toEqual(['tag:GetResources']);
    expect(resourcesOf(statement)).toEqual(['*']);
    expect(statement.Effect).toBe('Allow');
    expect(roles.every((role) => /^(Triage|Sweep|ReportingFunction)Role/.test(role))).toBe(true);
  }
  const roles = new Set(statements.flatMap(({ roles: names }) => names).map((name) => name.replace(/[0-9A-F]{8}$/, '')));
  expect([...roles].some((role) => role.startsWith('TriageRole'))).toBe(true);
  expect([...roles].some((role) => role.startsWith('SweepRole'))).toBe(true);
});

test('the "*" is acknowledged to cdk-nag (reason in lib/permissions.ts grantNodeStateRead)', () => {
  expect(nagViolations().map((finding) => JSON.stringify(finding)).filter((finding) => finding.includes('IAM5'))).toEqual([]);
});
