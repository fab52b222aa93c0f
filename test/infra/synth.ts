/**
 * Builds the real app for infrastructure tests: the same config loading and stack as bin/app.ts,
 * with Lambda bundling skipped (`aws:cdk:bundling-stacks: []`) because tests assert the template,
 * not the bundle, and bundling three functions costs seconds per synth.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AutopilotStack } from '../../lib/autopilot-stack';
import { loadConfig } from '../../lib/config';

export interface SynthOptions {
  /** Run the cdk-nag AwsSolutions pack like bin/app.ts does. */
  readonly nag?: boolean;
}

/** cdk.json context (feature flags and the `autopilot` defaults), as the CLI would pass it. */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

export function buildApp(context: Record<string, unknown> = {}, options: SynthOptions = {}) {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'autopilot-synth-')),
    context: { ...CDK_JSON_CONTEXT, ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const config = loadConfig(app.node.getAllContext());
  // Bundling is skipped, so the handlers' code does not matter here: a fixture entry keeps these
  // template tests independent of it (the real entries are exercised by `cdk synth` in .ci/run).
  const fixtureEntry = join(__dirname, 'fixtures', 'sample-handler.ts');
  const stack = new AutopilotStack(app, config.infra.stackName, {
    config,
    handlerEntries: { triage: fixtureEntry, followUp: fixtureEntry, sweep: fixtureEntry, report: fixtureEntry },
  });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}

export function synthTemplate(context: Record<string, unknown> = {}) {
  const { stack, config } = buildApp(context);
  return { template: Template.fromStack(stack), config };
}

/** Synthesizes with cdk-nag; returns the violations of the validation report (empty = passed). */
export function nagViolations(context: Record<string, unknown> = {}): unknown[] {
  const { app } = buildApp(context, { nag: true });
  try {
    app.synth();
    return [];
  } catch (error) {
    const reportPath = join(app.outdir, 'validation-report.json');
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { pluginReports: Array<{ violations: unknown[] }> };
    const violations = report.pluginReports.flatMap((plugin) => plugin.violations);
    if (violations.length === 0) throw error;
    return violations;
  }
}

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

export function resourcesOfType(template: Template, type: string): Array<[string, Resource]> {
  return Object.entries(template.findResources(type)) as Array<[string, Resource]>;
}

export interface PolicyStatementJson {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
}

/** Every statement of every identity policy, with the logical IDs of the roles it is attached to. */
export function identityStatements(template: Template): Array<{ roles: string[]; statement: PolicyStatementJson }> {
  return resourcesOfType(template, 'AWS::IAM::Policy').flatMap(([, policy]) => {
    const roles = ((policy.Properties.Roles as Array<{ Ref: string }>) ?? []).map((role) => role.Ref);
    const document = policy.Properties.PolicyDocument as { Statement: PolicyStatementJson[] };
    return document.Statement.map((statement) => ({ roles, statement }));
  });
}

export function actionsOf(statement: PolicyStatementJson): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: PolicyStatementJson): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** Renders CloudFormation intrinsics of an ARN to a readable string (`${AWS::Region}`, `${Logical.Arn}`). */
export function renderArn(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Ref' in object) return `\${${String(object.Ref)}}`;
    if ('Fn::GetAtt' in object) return `\${${(object['Fn::GetAtt'] as string[]).join('.')}}`;
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(renderArn).join(separator);
    }
  }
  return JSON.stringify(value);
}
