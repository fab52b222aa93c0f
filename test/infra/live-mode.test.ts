/**
 * The live mode parameter in the template: created per stack with the deployed mode, readable by
 * exactly the three functions (ssm:GetParameter on its ARN only), named to them, and its fallback
 * metric alarmed to the ops topic.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { MODE_FALLBACK_METRIC } from '../../lambdas/domain/policy/runtime-mode';
import { actionsOf, identityStatements, renderArn, resourcesOf, resourcesOfType, synthTemplate } from './synth';

let template: Template;
let dryRunTemplate: Template;
beforeAll(() => {
  template = synthTemplate().template;
  dryRunTemplate = synthTemplate({ 'autopilot.mode': 'dry-run', 'autopilot.stackName': 'Canary' }).template;
});

function modeParameter(from: Template) {
  const parameters = resourcesOfType(from, 'AWS::SSM::Parameter');
  expect(parameters).toHaveLength(1);
  return parameters[0]!;
}

describe('live mode parameter', () => {
  it('is a String parameter named after the stack, starting at the deployed mode, limited to the four modes', () => {
    const [, parameter] = modeParameter(template);
    expect(parameter.Properties).toMatchObject({
      Type: 'String',
      Name: '/ssm-compliance-autopilot/SsmComplianceAutopilot/mode',
      Value: 'auto',
      AllowedPattern: '^(auto|dry-run|notify-only|paused)$',
    });
    expect(modeParameter(dryRunTemplate)[1].Properties).toMatchObject({ Name: '/ssm-compliance-autopilot/Canary/mode', Value: 'dry-run' });
  });

  it('every function gets its name and only ssm:GetParameter on that one ARN', () => {
    const [logicalId] = modeParameter(template);
    const functions = resourcesOfType(template, 'AWS::Lambda::Function').filter(([, fn]) => {
      const env = (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      // The report function never acts: the mode does not apply to it.
      return 'LEDGER_TABLE_NAME' in env && env['POWERTOOLS_SERVICE_NAME'] !== 'report';
    });
    expect(functions).toHaveLength(3);
    for (const [, fn] of functions) {
      expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.MODE_PARAMETER_NAME).toBe('/ssm-compliance-autopilot/SsmComplianceAutopilot/mode');
    }
    const grants = identityStatements(template).filter(({ statement }) => actionsOf(statement).some((action) => action.startsWith('ssm:') && action.includes('Parameter')));
    expect(grants.length).toBeGreaterThan(0);
    const roles = new Set<string>();
    for (const { roles: attached, statement } of grants) {
      expect(actionsOf(statement)).toEqual(['ssm:GetParameter']);
      const arns = resourcesOf(statement).map(renderArn);
      // Ref of an AWS::SSM::Parameter is its name, which starts with "/".
      expect(arns).toEqual([`arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter\${${logicalId}}`]);
      attached.forEach((role) => roles.add(role));
    }
    expect(roles.size).toBe(3);
    expect(logicalId).toContain('LiveMode');
  });

  it('a fallback to the safest mode in any function raises an alarm to the ops topic', () => {
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').filter(([id]) => id.includes('ModeParameterFallback'));
    expect(alarms).toHaveLength(1);
    const [, alarm] = alarms[0]!;
    const metrics = alarm.Properties.Metrics as Array<{ Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: Array<{ Value: string }> } } }>;
    const stats = metrics.filter((metric) => metric.MetricStat);
    expect(stats.map((metric) => metric.MetricStat!.Metric.MetricName)).toEqual([MODE_FALLBACK_METRIC, MODE_FALLBACK_METRIC, MODE_FALLBACK_METRIC]);
    expect(stats.map((metric) => metric.MetricStat!.Metric.Dimensions[0]!.Value).sort()).toEqual(['follow-up', 'sweep', 'triage']);
    expect(metrics.find((metric) => metric.Expression)?.Expression).toBe('FILL(m0, 0) + FILL(m1, 0) + FILL(m2, 0)');
    expect(alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    const opsTopic = resourcesOfType(template, 'AWS::SNS::Topic').find(([id]) => id.includes('OpsTopic'))![0];
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: opsTopic }]);
  });
});
