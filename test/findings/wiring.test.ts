/**
 * The wiring of the findings step: nothing with the option off; with it on, the step and then the
 * publisher load on first use and reach Security Hub with the pipeline's client configuration.
 */
import { diagnose } from '../../lambdas/domain/diagnose';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import type { Common } from '../../lambdas/wiring/common';
import { buildFindings } from '../../lambdas/wiring/findings';
import { healthyLinux, withPatchState } from '../diagnosis/builders';
import { startLedgerTable, type LocalTable } from '../ledger/dynalite';
import { RecordingSink } from '../triage/recording-sink';
import { startFakeSecurityHub, type FakeSecurityHub } from './securityhub-fake';

let table: LocalTable;
let hub: FakeSecurityHub;
beforeAll(async () => {
  table = await startLedgerTable('wiring-findings');
  hub = await startFakeSecurityHub();
});
afterAll(async () => {
  await hub.close();
  await table.close();
});

function common(overrides: { on?: boolean; account?: string } = {}): { common: Common; sink: RecordingSink } {
  const sink = new RecordingSink();
  const partial = {
    settings: { ...DEFAULT_SETTINGS, securityHubFindings: overrides.on ?? true },
    environment: { region: 'eu-west-1', ...(overrides.account === '' ? {} : { account: overrides.account ?? '111122223333' }) },
    dynamo: table.documentClient,
    tableName: table.tableName,
    clientConfig: { endpoint: hub.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
    clock: { now: () => new Date('2026-11-20T14:10:00.000Z') },
    sink,
  };
  return { common: partial as unknown as Common, sink };
}

it('off: no step at all', () => {
  expect(buildFindings(common({ on: false }).common)).toBeUndefined();
});

it('on without a known account: no step, one error line', () => {
  const { common: built, sink } = common({ account: '' });
  expect(buildFindings(built)).toBeUndefined();
  expect(sink.lines.filter((line) => line.level === 'error').map((line) => line.message)).toEqual([expect.stringMatching(/account or region is unknown/)]);
});

it('on: the first sync loads the step and the publisher and imports through the configured endpoint', async () => {
  const { common: built, sink } = common();
  const step = buildFindings(built)!;
  const diagnosis = diagnose(withPatchState(healthyLinux(), { InstalledPendingRebootCount: 1 }), DEFAULT_SETTINGS);
  const report = await step.sync([{ kind: 'EVALUATED', diagnosis, automation: { decision: { action: 'NOTIFY', causes: [], dryRun: false, reason: 'r' }, outcome: { kind: 'NOTIFIED' } } }]);
  expect(report).toMatchObject({ planned: 1, imported: 1, notImported: 0, unavailable: false });
  expect([...hub.findings.keys()]).toEqual([`ssm-compliance-autopilot/eu-west-1/111122223333/${diagnosis.instanceId}/PENDING_REBOOT`]);
  expect(sink.metric('SecurityHubFindingsImported')).toBe(1);
});
