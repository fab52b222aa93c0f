/** `npm run synth` prints a short confirmation (bin/synth-summary.ts) instead of the template. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeCloudAssembly } from '../../bin/synth-summary';
import { buildApp } from './synth';

let summary: string;
beforeAll(() => {
  const { app } = buildApp({}, { nag: true });
  app.synth();
  summary = summarizeCloudAssembly(app.outdir);
});

it('names the stack, its functions, the mode parameter, the outputs and the cdk-nag verdict in a few lines', () => {
  const lines = summary.trimEnd().split('\n');
  expect(lines.length).toBeLessThanOrEqual(8);
  expect(lines[0]).toMatch(/^SsmComplianceAutopilot: \d+ resources \(/);
  expect(summary).toMatch(/functions {2}Triage \(nodejs22\.x arm64, 512 MB, 300 s\), FollowUp \(nodejs22\.x arm64, 512 MB, 60 s\), Sweep \(/);
  expect(summary).toContain('mode       /ssm-compliance-autopilot/SsmComplianceAutopilot/mode = auto');
  expect(summary).toContain('outputs    AlertTopicArn, OpsTopicArn, LedgerTableName, DashboardUrl, ModeParameterName, CommandLogGroupName');
  expect(summary).toMatch(/cdk-nag {4}AwsSolutions passed: no unacknowledged finding; acknowledged with a reason: .*AwsSolutions-IAM5 x\d+/);
});

it('is what the README shows (but the cdk.out path)', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const shown = readme.split('\n').filter((line) => line.startsWith('SsmComplianceAutopilot: ') || /^ {2}(functions|mode|alarms|outputs|cdk-nag) /.test(line));
  const withoutPath = (line: string) => line.replace(/ \([^)]*\.template\.json\)$/, '');
  expect(shown.map(withoutPath)).toEqual(summary.trimEnd().split('\n').map(withoutPath));
});

it('says so when there is nothing synthesized', () => {
  expect(() => summarizeCloudAssembly('/nonexistent-cdk-out')).toThrow('no cloud assembly in /nonexistent-cdk-out: run cdk synth first');
});
