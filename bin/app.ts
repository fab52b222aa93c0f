#!/usr/bin/env node
/**
 * The CDK app. Environment-agnostic on purpose: `cdk synth` works offline without credentials,
 * and the account/region come from the deploying credentials at `cdk deploy`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../lib/config';
import { AutopilotStack } from '../lib/autopilot-stack';

const app = new App();
const config = loadConfig(app.node.getAllContext());
new AutopilotStack(app, config.infra.stackName, {
  config,
  description: 'SSM compliance autopilot: compliance events -> diagnosis -> safe remediation or on-call alert',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
