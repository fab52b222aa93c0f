/**
 * docs/ALERTS.md and README show alerts the code really produces: the full sample email is composed
 * here from an example snapshot and must equal the document's block; the README's example subject
 * too; every alert kind has a row in the subject table. `UPDATE_DOCS=1` rewrites the sample block.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeDiagnosisAlert } from '../../lambdas/domain/alerts/diagnosis';
import { ALERT_KINDS } from '../../lambdas/domain/alerts/types';
import { diagnose } from '../../lambdas/domain/diagnose';
import { planRemediation } from '../../lambdas/domain/policy/plan';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import type { NodeSnapshot } from '../../lambdas/domain/types';

const root = join(__dirname, '..', '..');
const ALERTS_MD = join(root, 'docs', 'ALERTS.md');

function sampleAlert() {
  const snapshot = JSON.parse(readFileSync(join(root, 'examples', 'pending-reboot.json'), 'utf8')) as NodeSnapshot;
  const diagnosis = diagnose(snapshot, DEFAULT_SETTINGS);
  const decision = planRemediation(diagnosis, snapshot.tags ?? {}, DEFAULT_SETTINGS);
  return composeDiagnosisAlert(
    { diagnosis, decision, outcome: { kind: 'COMMAND_SENT', commandId: '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' } },
    { account: '111122223333', region: snapshot.region ?? 'eu-west-1' },
  );
}

function sampleBlock(): string {
  const alert = sampleAlert();
  return ['<!-- sample:begin -->', '```text', `Subject: ${alert.subject}`, '', alert.text, '```', '<!-- sample:end -->'].join('\n');
}

it('docs/ALERTS.md holds the full sample email exactly as the composer writes it', () => {
  const doc = readFileSync(ALERTS_MD, 'utf8');
  const current = /<!-- sample:begin -->[\s\S]*?<!-- sample:end -->/.exec(doc)?.[0];
  expect(current).toBeDefined();
  if (process.env['UPDATE_DOCS'] === '1') writeFileSync(ALERTS_MD, doc.replace(current!, sampleBlock()));
  expect(readFileSync(ALERTS_MD, 'utf8')).toContain(sampleBlock());
});

it("the README's example subject is what the code writes for examples/pending-reboot.json", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  expect(readme).toContain(`\`${sampleAlert().subject}\``);
});

it('the subject table has a row for every alert kind', () => {
  const doc = readFileSync(ALERTS_MD, 'utf8');
  for (const kind of ALERT_KINDS) expect(doc).toMatch(new RegExp(`^\\| \`${kind}\``, 'm'));
});
