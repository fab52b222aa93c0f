import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { MODE_FALLBACK_METRIC, RUNTIME_MODES, type RuntimeMode } from '../../lambdas/domain/policy/runtime-mode';

export interface LiveModeProps {
  /** The value the parameter starts with (the deployed `mode` setting). */
  readonly initialMode: RuntimeMode;
  /** Namespace of the functions' metrics. */
  readonly metricsNamespace: string;
  /** The `service` dimension of each function that reads the parameter. */
  readonly services: readonly string[];
}

/**
 * The emergency stop without a redeploy: an SSM String parameter holding the runtime mode, named
 * after the stack (`/ssm-compliance-autopilot/<stack>/mode`, so two stacks never share it). The
 * functions read it through Powertools Parameters with a short cache (`lambdas/adapters/ssm-mode-parameter.ts`).
 * A deploy rewrites the value only when the deployed `mode` changes (CloudFormation compares templates,
 * not the live value), so a pause survives an unrelated upgrade.
 */
export class LiveMode extends Construct {
  public readonly parameter: ssm.StringParameter;
  public readonly parameterName: string;
  /** Fallbacks to the safest mode (unreadable or invalid parameter), summed over the functions. */
  public readonly fallbacks: cloudwatch.IMetric;

  constructor(scope: Construct, id: string, props: LiveModeProps) {
    super(scope, id);
    this.parameterName = `/ssm-compliance-autopilot/${Stack.of(this).stackName}/mode`;
    this.parameter = new ssm.StringParameter(this, 'Parameter', {
      parameterName: this.parameterName,
      stringValue: props.initialMode,
      // SSM itself refuses other values on put-parameter (the functions check again when reading).
      allowedPattern: `^(${RUNTIME_MODES.join('|')})$`,
      description: `Runtime mode of ${Stack.of(this).stackName}: ${RUNTIME_MODES.join(' | ')}. Read by every function within a minute.`,
      tier: ssm.ParameterTier.STANDARD,
    });
    const period = Duration.minutes(5);
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    props.services.forEach((service, index) => {
      usingMetrics[`m${index}`] = new cloudwatch.Metric({
        namespace: props.metricsNamespace,
        metricName: MODE_FALLBACK_METRIC,
        dimensionsMap: { service },
        statistic: 'Sum',
        period,
      });
    });
    this.fallbacks = new cloudwatch.MathExpression({
      // FILL: a function that did not fall back publishes nothing; that is 0, not a gap in the sum.
      expression: Object.keys(usingMetrics).map((name) => `FILL(${name}, 0)`).join(' + '),
      usingMetrics,
      label: MODE_FALLBACK_METRIC,
      period,
    });
  }

  /** Exactly `ssm:GetParameter` on this one parameter (all Powertools' SSMProvider.get calls). */
  grantRead(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['ssm:GetParameter'], resourceArns: [this.parameter.parameterArn] });
  }
}
