#!/usr/bin/env node
/**
 * The CDK app. Environment-agnostic on purpose: `cdk synth` works offline without credentials,
 * and the account/region come from the deploying credentials at `cdk deploy`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigurationError, loadConfig, type AutopilotConfig } from '../lib/config';
import { AutopilotStack } from '../lib/autopilot-stack';

const app = new App();
let config: AutopilotConfig;
try {
  config = loadConfig(app.node.getAllContext());
} catch (error) {
  // A configuration slip is the user's to fix: the lines that say what, no Node stack trace.
  if (!(error instanceof ConfigurationError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
new AutopilotStack(app, config.infra.stackName, {
  config,
  description: 'SSM compliance autopilot: compliance events -> diagnosis -> safe remediation or on-call alert',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
