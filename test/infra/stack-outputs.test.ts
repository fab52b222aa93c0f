/**
 * What a platform team reads after a deploy (stack outputs), and two stacks in one account: every
 * name that must be unique per account and region carries the stack name.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutopilotStack } from '../../lib/autopilot-stack';
import { loadConfig } from '../../lib/config';
import { OUTPUT_NAMES } from '../../lib/stack-outputs';
import { resourcesOfType } from './synth';

const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
const fixtureEntry = join(__dirname, 'fixtures', 'sample-handler.ts');

/** Two stacks in one app (one account and region), as `cdk deploy` of two stack names would create. */
function twoStacks(): [Template, Template] {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'autopilot-two-')), context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stacks = ['PatchingProd', 'PatchingCanary'].map((stackName) => {
    // With a created trail: its name must be per stack too.
    const config = loadConfig({ ...app.node.getAllContext(), 'autopilot.stackName': stackName, 'autopilot.createTrail': 'true' });
    return new AutopilotStack(app, stackName, { config, handlerEntries: { triage: fixtureEntry, followUp: fixtureEntry, sweep: fixtureEntry } });
  });
  // Both stacks exist before the first synthesis (the app synthesizes once).
  const templates = stacks.map((stack) => Template.fromStack(stack));
  return [templates[0]!, templates[1]!];
}

let prod: Template;
let canary: Template;
beforeAll(() => {
  [prod, canary] = twoStacks();
});

describe('stack outputs', () => {
  const logicalId = (template: Template, type: string, fragment: string) => resourcesOfType(template, type).find(([id]) => id.includes(fragment))![0];

  it('name the topics to subscribe to, the ledger, the dashboard, the mode parameter, the command log group and the report bucket', () => {
    const outputs = prod.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
    expect(Object.keys(outputs).sort()).toEqual([...OUTPUT_NAMES].sort());
    expect(outputs.ReportBucketName!.Value).toEqual({ Ref: logicalId(prod, 'AWS::S3::Bucket', 'ReportingReportBucket') });
    expect(outputs.AlertTopicArn!.Value).toEqual({ Ref: logicalId(prod, 'AWS::SNS::Topic', 'AlertTopic') });
    expect(outputs.OpsTopicArn!.Value).toEqual({ Ref: logicalId(prod, 'AWS::SNS::Topic', 'OpsTopic') });
    expect(outputs.LedgerTableName!.Value).toEqual({ Ref: logicalId(prod, 'AWS::DynamoDB::Table', 'RemediationLedger') });
    expect(outputs.ModeParameterName!.Value).toBe('/ssm-compliance-autopilot/PatchingProd/mode');
    expect(outputs.CommandLogGroupName!.Value).toEqual({ Ref: logicalId(prod, 'AWS::Logs::LogGroup', 'CommandOutputLogGroup') });
    expect(JSON.stringify(outputs.DashboardUrl!.Value)).toContain(`{"Ref":"${logicalId(prod, 'AWS::CloudWatch::Dashboard', 'Dashboard')}"}`);
    expect(JSON.stringify(outputs.DashboardUrl!.Value)).toContain('.console.aws.amazon.com/cloudwatch/home?region=');
    for (const output of Object.values(outputs)) expect(output.Description.length).toBeGreaterThan(10);
  });
});

describe('two stacks in one account', () => {
  /** Properties holding a name that is unique per account and region (or that people read, like a topic's sender name). */
  const PHYSICAL_NAME_KEYS = new Set([
    'LogGroupName', 'Name', 'TableName', 'TopicName', 'DisplayName', 'DashboardName', 'AlarmName', 'QueueName', 'RoleName',
    'FunctionName', 'TrailName', 'BucketName', 'ManagedPolicyName', 'AliasName', 'Namespace',
    'POWERTOOLS_METRICS_NAMESPACE', 'COMMAND_LOG_GROUP', 'MODE_PARAMETER_NAME',
  ]);
  /** Every literal physical name or namespace in a template (generated names are CloudFormation tokens, unique by construction). */
  function fixedNames(template: Template): string[] {
    const names: string[] = [];
    const visit = (value: unknown, key: string): void => {
      if (typeof value === 'string') {
        if (PHYSICAL_NAME_KEYS.has(key) && !value.startsWith('AWS/')) names.push(`${key}=${value}`);
        return;
      }
      if (Array.isArray(value)) value.forEach((entry) => visit(entry, key));
      else if (value && typeof value === 'object') for (const [child, entry] of Object.entries(value)) visit(entry, child);
    };
    visit(template.toJSON().Resources, '');
    return [...new Set(names)];
  }

  it('share no fixed name: command log group, mode parameter, metrics namespace', () => {
    const prodNames = fixedNames(prod);
    const canaryNames = new Set(fixedNames(canary));
    // Names of AWS-owned things are the same in both and must be: the patch document, the default bus, dimension names.
    const shared = prodNames.filter((name) => canaryNames.has(name) && !/^Name=(service|QueueName|FunctionName)$/.test(name));
    expect(shared).toEqual([]);
    expect(prodNames).toEqual(
      expect.arrayContaining([
        'LogGroupName=/ssm-compliance-autopilot/PatchingProd/commands',
        'Name=/ssm-compliance-autopilot/PatchingProd/mode',
        'POWERTOOLS_METRICS_NAMESPACE=SsmComplianceAutopilot/PatchingProd',
        'Namespace=SsmComplianceAutopilot/PatchingProd',
        'DisplayName=SSM compliance autopilot alerts (PatchingProd)',
        expect.stringMatching(/^TrailName=PatchingProd/),
      ]),
    );
  });
});
