/**
 * Option `securityHubFindings`: securityhub:BatchImportFindings is granted only when it is on, to the
 * functions that evaluate nodes (triage, sweep), on this account's default product and for this
 * account only. One template with the option on, one with the defaults.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { parseSettings } from '../../lambdas/domain/settings';
import { actionsOf, identityStatements, nagViolations, renderArn, resourcesOf, resourcesOfType, synthTemplate } from './synth';

const ON = { 'autopilot.securityHubFindings': 'true' };

let on: Template;
let off: Template;
beforeAll(() => {
  on = synthTemplate(ON).template;
  off = synthTemplate().template;
});

const importStatements = (template: Template) =>
  identityStatements(template).filter(({ statement }) => actionsOf(statement).some((action) => action.startsWith('securityhub:')));

it('off (the default): no Security Hub permission at all, and the functions are told so', () => {
  expect(importStatements(off)).toEqual([]);
  for (const [, fn] of resourcesOfType(off, 'AWS::Lambda::Function')) {
    const env = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect(parseSettings(JSON.parse(env.AUTOPILOT_SETTINGS!), 'template').securityHubFindings).toBe(false);
  }
});

it('on: BatchImportFindings for triage and sweep only, on the default product of this account and region, TargetAccount pinned', () => {
  const statements = importStatements(on);
  expect(statements.map(({ roles }) => roles.map((role) => role.replace(/[0-9A-F]{8}$/, ''))).flat().sort()).toEqual(['SweepRole', 'TriageRole']);
  for (const { statement } of statements) {
    expect(statement.Effect).toBe('Allow');
    expect(actionsOf(statement)).toEqual(['securityhub:BatchImportFindings']);
    expect(resourcesOf(statement).map(renderArn)).toEqual(['arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default']);
    expect(statement.Condition).toEqual({ StringEquals: { 'securityhub:TargetAccount': { Ref: 'AWS::AccountId' } } });
  }
  for (const [, fn] of resourcesOfType(on, 'AWS::Lambda::Function')) {
    const env = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect(parseSettings(JSON.parse(env.AUTOPILOT_SETTINGS!), 'template').securityHubFindings).toBe(true);
  }
});

it('cdk-nag passes with the grant', () => {
  expect(nagViolations(ON)).toEqual([]);
});
