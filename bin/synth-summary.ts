/**
 * After `cdk synth --quiet`: a short confirmation of what was synthesized, instead of the template's
 * YAML. `npm run synth` runs both; the full template stays in cdk.out/<stack>.template.json.
 *
 *   SsmComplianceAutopilot: 51 resources (cdk.out/SsmComplianceAutopilot.template.json)
 *     functions  Triage (nodejs22.x arm64, 512 MB, 300 s), FollowUp (…), Sweep (…)
 *     …
 *     cdk-nag    AwsSolutions passed: no unacknowledged finding (31 rules acknowledged with a reason)
 *
 * cdk-nag runs inside the app (bin/app.ts) and fails the synthesis on any unacknowledged finding, so
 * a cloud assembly that exists passed it; the acknowledged rules are read from the stack metadata.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface Manifest {
  artifacts?: Record<string, { type: string; properties?: { templateFile?: string }; additionalMetadataFile?: string }>;
}
interface Template {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value: unknown }>;
}

export function summarizeCloudAssembly(dir: string): string {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`no cloud assembly in ${dir}: run cdk synth first`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
  const lines: string[] = [];
  for (const [name, artifact] of stacks) {
    const templateFile = join(dir, artifact.properties?.templateFile ?? `${name}.template.json`);
    const template = JSON.parse(readFileSync(templateFile, 'utf8')) as Template;
    // CDKMetadata (version reporting) is the CDK's, not the product's: not counted.
    const resources = Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type !== 'AWS::CDK::Metadata');
    const ofType = (type: string) => resources.filter(([, resource]) => resource.Type === type);
    const functions = ofType('AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties?.['Runtime'])
      .map(([id, fn]) => {
        const p = fn.Properties ?? {};
        const arch = Array.isArray(p['Architectures']) ? (p['Architectures'] as string[]).join(',') : 'x86_64';
        return `${id.replace(/Function[0-9A-F]{8}$/, '')} (${String(p['Runtime'])} ${arch}, ${String(p['MemorySize'] ?? 128)} MB, ${String(p['Timeout'] ?? 3)} s)`;
      });
    const parameter = ofType('AWS::SSM::Parameter')[0]?.[1].Properties;
    const acknowledged = acknowledgedRules(dir, artifact.additionalMetadataFile);
    lines.push(`${name}: ${resources.length} resources (${relative(process.cwd(), templateFile) || templateFile})`);
    lines.push(`  functions  ${functions.join(', ') || 'none'}`);
    if (parameter) lines.push(`  mode       ${String(parameter['Name'])} = ${String(parameter['Value'])} (change it live: docs/OPERATIONS.md)`);
    lines.push(`  alarms     ${ofType('AWS::CloudWatch::Alarm').length} to the ops topic; dashboard ${ofType('AWS::CloudWatch::Dashboard').length}`);
    lines.push(`  outputs    ${Object.keys(template.Outputs ?? {}).join(', ') || 'none'}`);
    const acknowledgedText = [...acknowledged.entries()].map(([rule, count]) => `${rule} x${count}`).join(', ');
    lines.push(`  cdk-nag    AwsSolutions passed: no unacknowledged finding${acknowledgedText ? `; acknowledged with a reason: ${acknowledgedText}` : ''}`);
  }
  if (stacks.length === 0) lines.push(`no stack in ${dir}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Acknowledged findings (Validations.acknowledge) per rule, e.g. `AwsSolutions-IAM5` from
 * `Annotation::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]` (one per construct and finding).
 */
function acknowledgedRules(dir: string, metadataFile: string | undefined): Map<string, number> {
  const rules = new Map<string, number>();
  if (!metadataFile || !existsSync(join(dir, metadataFile))) return rules;
  const metadata = JSON.parse(readFileSync(join(dir, metadataFile), 'utf8')) as Record<string, Array<{ type: string; data?: unknown }>>;
  for (const entries of Object.values(metadata)) {
    for (const entry of entries) {
      if (entry.type !== 'aws:cdk:acknowledged-rules' || !entry.data || typeof entry.data !== 'object') continue;
      for (const key of Object.keys(entry.data)) {
        const rule = key.replace(/^Annotation::/, '').replace(/\[.*$/, '');
        rules.set(rule, (rules.get(rule) ?? 0) + 1);
      }
    }
  }
  return new Map([...rules.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

if (require.main === module) {
  try {
    process.stdout.write(summarizeCloudAssembly(process.argv[2] ?? 'cdk.out'));
  } catch (error) {
    process.stderr.write(`synth-summary: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
