/**
 * The live mode (emergency stop without a redeploy): resolution and fallback (pure), the SSM parameter
 * adapter through Powertools Parameters over an aws-sdk-client-mock'ed client (cache, invalid value,
 * unreadable parameter), and the gates in the triage, the sweep and the follow-up.
 */
import { GetParameterCommand, ParameterNotFound, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoRemediationLedger } from '../../lambdas/adapters/dynamo-ledger';
import { DynamoNoticeLedger } from '../../lambdas/adapters/dynamo-notices';
import { SsmModeParameter } from '../../lambdas/adapters/ssm-mode-parameter';
import { SsmRemediator } from '../../lambdas/adapters/ssm-remediator';
import type { PausedAlertInput } from '../../lambdas/domain/alerts/paused';
import type { DiagnosisAlertInput } from '../../lambdas/domain/alerts/types';
import { diagnose } from '../../lambdas/domain/diagnose';
import { planRemediation } from '../../lambdas/domain/policy/plan';
import {
  FALLBACK_MODE,
  MODE_CACHE_SECONDS,
  MODE_FALLBACK_METRIC,
  resolveRuntimeMode,
  withRuntimeMode,
  type RuntimeMode,
} from '../../lambdas/domain/policy/runtime-mode';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import type { NodeSnapshot } from '../../lambdas/domain/types';
import type { AlertNotifier, AlertReceipt } from '../../lambdas/ports/alerts';
import type { NodeStateReader } from '../../lambdas/ports/reading';
import type { RuntimeModeSource } from '../../lambdas/ports/runtime';
import { CommandFollowUp } from '../../lambdas/usecases/follow-up';
import { LedgerSweep } from '../../lambdas/usecases/sweep';
import { TriageUseCase } from '../../lambdas/usecases/triage';
import { asSqsRecord, loadEvent } from '../fixtures/events';
import { InMemoryLockLedger } from '../follow-up/fakes';
import { startLedgerTable, type LocalTable } from '../ledger/dynalite';
import { RecordingSink } from '../triage/recording-sink';

const PARAMETER = '/ssm-compliance-autopilot/SsmComplianceAutopilot/mode';
const ssm = mockClient(SSMClient);
const client = new SSMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

function example(name: string): NodeSnapshot {
  return JSON.parse(readFileSync(join(__dirname, '../../examples', `${name}.json`), 'utf8')) as NodeSnapshot;
}

/** A mode source whose value the test sets (the adapter is tested on its own below). */
class SwitchableMode implements RuntimeModeSource {
  reads = 0;
  constructor(public mode: RuntimeMode) {}
  async current(): Promise<RuntimeMode> {
    this.reads += 1;
    return this.mode;
  }
}

beforeEach(() => ssm.reset());

describe('resolveRuntimeMode', () => {
  it.each([
    ['auto', 'auto'],
    ['dry-run', 'dry-run'],
    ['notify-only', 'notify-only'],
    ['paused', 'paused'],
    ['paused\n', 'paused'],
  ] as const)('%j -> %s', (value, mode) => {
    expect(resolveRuntimeMode(value)).toEqual({ mode });
  });

  it.each([['pause'], ['PAUSED'], ['notify_only'], [''], [undefined], [42]])('%j -> the fallback, with the problem named', (value) => {
    const reading = resolveRuntimeMode(value);
    expect(reading.mode).toBe(FALLBACK_MODE);
    expect(reading.problem).toMatch(/invalid mode .* \(allowed: auto \| dry-run \| notify-only \| paused\)/);
  });

  it('the fallback changes nothing on a node (it is not auto)', () => {
    expect(FALLBACK_MODE).toBe('notify-only');
    const decision = planRemediation(diagnose(example('pending-reboot'), DEFAULT_SETTINGS), example('pending-reboot').tags ?? {}, withRuntimeMode(DEFAULT_SETTINGS, FALLBACK_MODE));
    expect(decision.action).toBe('NOTIFY');
  });

  it('paused: the policy decides NONE for a node it would otherwise reboot', () => {
    const snapshot = example('pending-reboot');
    const settings = withRuntimeMode(DEFAULT_SETTINGS, 'paused');
    expect(planRemediation(diagnose(snapshot, settings), snapshot.tags ?? {}, settings)).toMatchObject({ action: 'NONE', reason: expect.stringContaining('paused') });
    expect(planRemediation(diagnose(snapshot, DEFAULT_SETTINGS), snapshot.tags ?? {}, DEFAULT_SETTINGS).action).toBe('REBOOT_NODE');
  });

  it('withRuntimeMode keeps the object when the mode is unchanged', () => {
    expect(withRuntimeMode(DEFAULT_SETTINGS, 'auto')).toBe(DEFAULT_SETTINGS);
    expect(withRuntimeMode(DEFAULT_SETTINGS, 'paused')).toEqual({ ...DEFAULT_SETTINGS, mode: 'paused' });
  });
});

describe('SsmModeParameter (Powertools Parameters over the SDK client)', () => {
  function adapter() {
    const clock = { current: new Date('2026-12-01T03:00:00.000Z'), now: () => clock.current };
    const sink = new RecordingSink();
    const source = new SsmModeParameter({ client, parameterName: PARAMETER, sink, clock });
    return { source, sink, clock };
  }
  const parameter = (value: string) => ({ Parameter: { Name: PARAMETER, Type: 'String' as const, Value: value, Version: 2 } });

  it('reads the parameter by name on the first call, not at construction, and reuses it within the cache time', async () => {
    ssm.on(GetParameterCommand).resolves(parameter('notify-only'));
    const { source } = adapter();
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
    await expect(source.current()).resolves.toBe('notify-only');
    await expect(source.current()).resolves.toBe('notify-only');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({ Name: PARAMETER, WithDecryption: false });
    expect(MODE_CACHE_SECONDS).toBeLessThanOrEqual(60);
  });

  it('an invalid value means the fallback, logged and counted', async () => {
    ssm.on(GetParameterCommand).resolves(parameter('pause'));
    const { source, sink } = adapter();
    await expect(source.current()).resolves.toBe(FALLBACK_MODE);
    expect(sink.metric(MODE_FALLBACK_METRIC)).toBe(1);
    expect(sink.lines).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('invalid mode "pause"') }));
  });

  it.each([
    ['deleted', () => new ParameterNotFound({ message: 'not found', $metadata: {} })],
    ['access denied', () => Object.assign(new Error('User is not authorized to perform: ssm:GetParameter'), { name: 'AccessDeniedException' })],
  ])('an unreadable parameter (%s) means the fallback, counted once per cache period, then read again', async (_what, error) => {
    ssm.on(GetParameterCommand).rejects(error());
    const { source, sink, clock } = adapter();
    await expect(source.current()).resolves.toBe(FALLBACK_MODE);
    await expect(source.current()).resolves.toBe(FALLBACK_MODE);
    expect(sink.metric(MODE_FALLBACK_METRIC)).toBe(1);
    expect(sink.lines.find((line) => line.level === 'error')?.message).toMatch(/unreadable: .*acting as notify-only/);
    const calls = ssm.commandCalls(GetParameterCommand).length;

    ssm.reset();
    ssm.on(GetParameterCommand).resolves(parameter('auto'));
    clock.current = new Date(clock.current.getTime() + (MODE_CACHE_SECONDS + 1) * 1000);
    await expect(source.current()).resolves.toBe('auto');
    expect(calls).toBeGreaterThanOrEqual(1);
  });
});

// -----------------------------------------------------------------------------------------------

let table: LocalTable;
let tables = 0;
beforeAll(async () => {
  table = await startLedgerTable('mode-0');
});
afterAll(async () => table.close());

async function freshLedger(): Promise<DynamoRemediationLedger> {
  tables += 1;
  await table.createTable(`mode-${tables}`);
  return new DynamoRemediationLedger(table.documentClient, `mode-${tables}`);
}

class RecordingAlerts implements AlertNotifier {
  readonly sent: string[] = [];
  readonly paused: PausedAlertInput[] = [];
  private receipt(kind: string): Promise<AlertReceipt> {
    this.sent.push(kind);
    return Promise.resolve({ messageId: `m-${this.sent.length}`, subject: kind });
  }
  notifyDiagnosis(input: DiagnosisAlertInput) {
    return this.receipt(`DIAGNOSIS ${input.decision.action}`);
  }
  notifyExhausted() {
    return this.receipt('EXHAUSTED');
  }
  notifyDeferred() {
    return this.receipt('DEFERRED');
  }
  notifyResolved() {
    return this.receipt('RESOLVED');
  }
  notifyCommandFailed() {
    return this.receipt('PATCH_OPERATION_FAILED');
  }
  notifyPaused(input: PausedAlertInput) {
    this.paused.push(input);
    return this.receipt('AUTOPILOT_PAUSED');
  }
}

/** SSM lists no command (these tests never reconcile one). */
const NO_COMMANDS = { findByToken: async () => null, invocation: async () => null };

describe('triage: the live mode replaces the deployed one on every call', () => {
  async function triageHarness(mode: SwitchableMode) {
    const snapshot = example('pending-reboot'); // tag auto: REBOOT_NODE in auto mode
    const reads: string[][] = [];
    const reader: NodeStateReader = {
      readSnapshots: async (ids) => {
        reads.push([...ids]);
        return { snapshots: ids.includes(snapshot.instanceId) ? [snapshot] : [], unknown: [], failed: [], skipped: [] };
      },
    };
    const sink = new RecordingSink();
    const alerts = new RecordingAlerts();
    const triage = new TriageUseCase({
      reader,
      ledger: await freshLedger(),
      remediator: new SsmRemediator({ client, settings: DEFAULT_SETTINGS, sink, logGroupName: '/ssm-compliance-autopilot/Test/commands' }),
      finder: NO_COMMANDS,
      calendar: { state: async () => ({ state: 'OPEN' as const }) },
      notifier: alerts,
      lifecycle: { publish: async (events) => ({ published: events.length, failed: [] }) },
      clock: { now: () => new Date('2026-11-20T14:10:00.000Z') },
      sink,
      settings: { ...DEFAULT_SETTINGS, mode: 'auto', minNodeAgeMinutes: 0 },
      ownRoleNames: [],
      liveMode: mode,
    });
    const event = loadEvent('nativePatchNonCompliant');
    event.detail['resource-id'] = snapshot.instanceId;
    return { triage, reads, sink, alerts, record: asSqsRecord(event, 'msg-1') };
  }

  it('paused: every event acknowledged, no SSM read, no command, no alert', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    const { triage, reads, sink, alerts, record } = await triageHarness(new SwitchableMode('paused'));
    await expect(triage.processRecords([record, { ...record, messageId: 'msg-2' }])).resolves.toEqual({ batchItemFailures: [] });
    expect(reads).toEqual([]);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
    expect(alerts.sent).toEqual([]);
    expect(sink.metric('PausedEventsAcknowledged')).toBe(2);
    await expect(triage.evaluateNodes(['i-0e3b07d5b6f83a4d9'], { source: 'sweep' })).resolves.toEqual({
      outcomes: [{ instanceId: 'i-0e3b07d5b6f83a4d9', kind: 'PAUSED' }],
      retry: [],
    });
  });

  it('notify-only set live over a deployed auto: alert instead of the reboot; back to auto: the command goes out', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    const mode = new SwitchableMode('notify-only');
    const { triage, alerts, record } = await triageHarness(mode);
    await triage.processRecords([record]);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
    expect(alerts.sent).toEqual(['DIAGNOSIS NOTIFY']);

    mode.mode = 'auto';
    const outcome = await triage.evaluateNodes(['i-0e3b07d5b6f83a4d9'], { source: 'sweep' });
    expect(outcome.outcomes.map((entry) => entry.kind)).toEqual(['COMMAND_SENT']);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
  });
});

describe('sweep: paused means no scan and one reminder a day', () => {
  it('reminds once per 24 h across runs (ledger dedupe), scans nothing, resumes when the mode changes', async () => {
    const ledger = await freshLedger();
    const notices = new DynamoNoticeLedger(table.documentClient, `mode-${tables}`);
    const mode = new SwitchableMode('paused');
    const alerts = new RecordingAlerts();
    const clock = { current: new Date('2026-12-01T03:00:00.000Z'), now: () => clock.current };
    let scans = 0;
    const sweep = new LedgerSweep({
      ledger,
      finder: NO_COMMANDS,
      settler: { settle: async () => undefined },
      scanner: {
        loadCursor: async () => undefined,
        saveCursor: async () => undefined,
        scanPage: async () => {
          scans += 1;
          return { nodes: [] };
        },
      },
      evaluator: { evaluateNodes: async () => ({ outcomes: [], retry: [] }) },
      settings: DEFAULT_SETTINGS,
      clock,
      sink: new RecordingSink(),
      liveMode: { source: mode, parameterName: PARAMETER, notices, notifier: alerts },
    });
    expect((await sweep.run()).paused).toEqual({ reminderSent: true });
    clock.current = new Date('2026-12-01T03:15:00.000Z');
    expect((await sweep.run()).paused).toEqual({ reminderSent: false });
    clock.current = new Date('2026-12-02T03:00:01.000Z');
    expect((await sweep.run()).paused).toEqual({ reminderSent: true });
    expect(alerts.paused).toEqual([
      { parameterName: PARAMETER, checkedAt: '2026-12-01T03:00:00.000Z' },
      { parameterName: PARAMETER, checkedAt: '2026-12-02T03:00:01.000Z' },
    ]);
    expect(scans).toBe(0);

    mode.mode = 'auto';
    const report = await sweep.run();
    expect(report.paused).toBeUndefined();
    expect(scans).toBe(1);
  });

  it('a reminder that could not be sent is given back, so the next run sends it', async () => {
    await freshLedger();
    const ledger = new DynamoNoticeLedger(table.documentClient, `mode-${tables}`);
    const now = new Date('2026-12-01T03:00:00.000Z');
    await expect(ledger.claimNotice('PAUSED', now, 24)).resolves.toBe(true);
    await ledger.forgetNotice('PAUSED', now);
    await expect(ledger.claimNotice('PAUSED', new Date('2026-12-01T03:15:00.000Z'), 24)).resolves.toBe(true);
    await expect(ledger.claimNotice('PAUSED', new Date('2026-12-01T03:30:00.000Z'), 24)).resolves.toBe(false);
  });
});

describe('follow-up: paused sends no PATCH_OPERATION_FAILED alert but still releases the lock', () => {
  it.each([
    ['paused', [], true],
    ['notify-only', ['PATCH_OPERATION_FAILED'], true],
  ] as const)('%s', async (modeName, expected, released) => {
    const ledger = new InMemoryLockLedger();
    ledger.hold({ instanceId: 'i-0e3b07d5b6f83a4d9', lockToken: 't', acquiredAt: '2026-12-01T02:00:00.000Z', action: 'REBOOT_NODE', causes: ['PENDING_REBOOT'], reboot: true, commandId: 'cmd-9' });
    const alerts = new RecordingAlerts();
    const followUp = new CommandFollowUp({
      ledger,
      finder: NO_COMMANDS,
      outputReader: { readOutput: async () => ({ standardErrorContent: 'E: apt failed', standardOutputContent: '', status: 'Failed' }) },
      notifier: alerts,
      lifecycle: { publish: async (events) => ({ published: events.length, failed: [] }) },
      clock: { now: () => new Date('2026-12-01T03:00:00.000Z') },
      sink: new RecordingSink(),
      environment: {},
      liveMode: new SwitchableMode(modeName),
    });
    const event = loadEvent('commandStatusSuccess');
    event.detail = { ...event.detail, 'instance-id': 'i-0e3b07d5b6f83a4d9', 'command-id': 'cmd-9', status: 'Failed', 'document-name': 'AWS-RunPatchBaseline' };
    const outcome = await followUp.handle(event);
    expect(outcome).toMatchObject({ kind: 'FAILED', alerted: expected.length > 0 });
    expect(alerts.sent).toEqual(expected);
    expect((await ledger.readNodes(['i-0e3b07d5b6f83a4d9'])).get('i-0e3b07d5b6f83a4d9')?.lock === undefined).toBe(released);
  });
});

describe('wiring: MODE_PARAMETER_NAME (set by the stack) reaches every use case', () => {
  it('a triage built by the wiring reads the named parameter and, paused, makes no other SSM call', async () => {
    const { buildCommon } = await import('../../lambdas/wiring/common');
    const { buildTriage } = await import('../../lambdas/wiring/triage');
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER, Type: 'String', Value: 'paused' } });
    const sink = new RecordingSink();
    const common = buildCommon(
      {
        ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:alerts',
        LEDGER_TABLE_NAME: 'unused',
        COMMAND_LOG_GROUP: '/ssm-compliance-autopilot/SsmComplianceAutopilot/commands',
        MODE_PARAMETER_NAME: PARAMETER,
        AWS_REGION: 'eu-west-1',
      },
      { sink, clientConfig: { region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } } },
    );
    expect(common.liveMode?.parameterName).toBe(PARAMETER);
    const event = loadEvent('nativePatchNonCompliant');
    await expect(buildTriage(common).processRecords([asSqsRecord(event, 'msg-1')])).resolves.toEqual({ batchItemFailures: [] });
    expect(ssm.calls().map((call) => call.args[0].constructor.name)).toEqual(['GetParameterCommand']);
    expect(sink.metric('PausedEventsAcknowledged')).toBe(1);
  });
});
