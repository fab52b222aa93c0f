import { dirname, resolve } from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Validations, type ILocalBundling } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bundleLambda, HANDLER } from '../bundling/lambda-bundle';

/** Powertools metrics namespace shared by every function (alarms and dashboard read it). */
export const METRICS_NAMESPACE = 'SsmComplianceAutopilot';

export interface AutopilotFunctionProps {
  /** Path of the handler module (exports `handler`). */
  readonly entry: string;
  /** Powertools service name (`triage`, `follow-up`, `sweep`): the `service` metric dimension. */
  readonly serviceName: string;
  readonly description: string;
  /** @default Duration.seconds(60) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** Extra environment variables (the Powertools ones are set here). @default {} */
  readonly environment?: Record<string, string>;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Where asynchronous invocations (EventBridge targets) land after Lambda's own retries fail.
   * @default none (synchronous callers such as the SQS event source handle failures themselves)
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * The one function shape of the project: Node.js 22 on arm64, an ESM bundle with the AWS SDK inside
 * (its version pinned by package-lock, not by the runtime), minified, no source maps, split into
 * `index.mjs` and chunks loaded on first use (`lib/bundling/lambda-bundle.ts`, run locally at synth:
 * no Docker), its own log group with retention, its own role writing only to that log group.
 */
export class AutopilotFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AutopilotFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Own role instead of the default AWSLambdaBasicExecutionRole managed policy (cdk-nag IAM4):
    // logs go only to this function's log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.serviceName} function of the SSM compliance autopilot`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // The log group's Arn attribute already ends in ":*" (all of its streams).
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new lambda.Function(this, 'Function', {
      code: bundledCode(props.entry),
      handler: HANDLER,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(60),
      memorySize: props.memorySize ?? 512,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        ...props.environment,
      },
    });
    // Lambda's own DLQ wiring grants sqs:SendMessage only; the queue is KMS-encrypted.
    props.deadLetterQueue?.grantSendMessages(this.role);
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 (nodejs22.x) is the Lambda runtime these functions are built for (esbuild target node22) and the Node.js version CI runs the tests on; it is in AWS standard support. A newer runtime comes together with CI, not ahead of it.',
    });
  }
}

/** esbuild in this process (CDK's local bundling), so synth needs no Docker. */
class LocalLambdaBundling implements ILocalBundling {
  // A plain field on purpose: CDK keys its asset cache on the JSON of the bundling options, and the
  // entry must be part of that key (functions sharing a source directory get their own bundles).
  constructor(public readonly entry: string) {}

  tryBundle(outputDir: string): boolean {
    bundleLambda(this.entry, outputDir); // throws with esbuild's messages: never falls back to Docker
    return true;
  }
}

/**
 * A directory asset holding the bundle. Hashed by OUTPUT (the bundle is deterministic, so the hash
 * moves only when the shipped code does). Stacks listed out of `aws:cdk:bundling-stacks` (the
 * template tests) skip the esbuild run, as with any CDK bundling.
 */
function bundledCode(entry: string): lambda.Code {
  const absoluteEntry = resolve(entry);
  return lambda.Code.fromAsset(dirname(absoluteEntry), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never pulled: local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('local-esbuild-only'),
      local: new LocalLambdaBundling(absoluteEntry),
    },
  });
}
