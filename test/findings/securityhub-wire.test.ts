/**
 * BatchImportFindings through the real SDK client against a local Security Hub (REST-JSON): chunks
 * of 100, FailedFindings retried or reported, throttling absorbed, "not enabled" reported once per
 * batch with no exception. Assertions are on what the fake service ACCEPTED.
 */
import { createSecurityHubClient, SecurityHubFindingPublisher } from '../../lambdas/adapters/securityhub-publisher';
import { diagnose } from '../../lambdas/domain/diagnose';
import { planNodeFindings, type AsffFinding } from '../../lambdas/domain/findings';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { healthyLinux, withPatchState } from '../diagnosis/builders';
import { RecordingSink } from '../triage/recording-sink';
import { startFakeSecurityHub, type FakeSecurityHub } from './securityhub-fake';

const SCOPE = { account: '111122223333', region: 'eu-west-1' };
const NOW = new Date('2026-11-20T14:10:00.000Z');

function findingsFor(count: number): AsffFinding[] {
  return Array.from({ length: count }, (_, index) => {
    const instanceId = `i-${index.toString(16).padStart(17, '0')}`;
    const diagnosis = diagnose(withPatchState(healthyLinux({ instanceId }), { InstalledPendingRebootCount: 1 }), DEFAULT_SETTINGS);
    const automation = { decision: { action: 'NOTIFY' as const, causes: [], dryRun: false, reason: 'r' }, outcome: { kind: 'NOTIFIED' as const } };
    return planNodeFindings({ kind: 'EVALUATED', diagnosis, automation }, new Map(), SCOPE, NOW)[0]!.finding;
  });
}

let hub: FakeSecurityHub;
let sink: RecordingSink;
const sleeps: number[] = [];

function publisher(options: { maxAttempts?: number; retryRounds?: number } = {}): SecurityHubFindingPublisher {
  const client = createSecurityHubClient({
    endpoint: hub.endpoint,
    region: SCOPE.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: options.maxAttempts ?? 3,
  });
  return new SecurityHubFindingPublisher({
    client,
    sink,
    retryRounds: options.retryRounds ?? 2,
    retryBaseMs: 1,
    minIntervalMs: 1,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
}

beforeEach(async () => {
  hub = await startFakeSecurityHub();
  sink = new RecordingSink();
  sleeps.length = 0;
});
afterEach(async () => {
  await hub.close();
});

it('imports 250 findings in calls of 100, 100 and 50; Security Hub accepts every one', async () => {
  const findings = findingsFor(250);
  const result = await publisher().importFindings(findings);
  expect(hub.requests).toEqual([100, 100, 50]);
  expect(result.imported).toHaveLength(250);
  expect(result.failed).toEqual([]);
  expect(hub.findings.size).toBe(250);
  expect(sink.metric('SecurityHubFindingsImported')).toBe(250);
});

it('FailedFindings are retried in a later round; a finding the service calls invalid is reported, logged and counted', async () => {
  const findings = findingsFor(5);
  hub.failFinding(findings[1]!.Id, 'InternalFailure', 1);
  hub.failFinding(findings[3]!.Id, 'InvalidInput', 99);
  const result = await publisher().importFindings(findings);
  expect(hub.requests).toEqual([5, 1]);
  expect(hub.findings.has(findings[1]!.Id)).toBe(true);
  expect(hub.findings.has(findings[3]!.Id)).toBe(false);
  expect(result.imported.sort()).toEqual([0, 1, 2, 4].map((index) => findings[index]!.Id).sort());
  expect(result.failed).toEqual([{ id: findings[3]!.Id, errorCode: 'InvalidInput', errorMessage: 'scripted InvalidInput' }]);
  expect(sink.metric('SecurityHubFindingsFailed')).toBe(1);
  expect(sink.metric('SecurityHubImportRetries')).toBe(1);
  expect(sink.lines.find((line) => line.level === 'warn')?.fields).toMatchObject({ failed: 1, findings: [{ id: findings[3]!.Id, errorCode: 'InvalidInput' }] });
});

it('a finding that keeps failing retryably is reported after the last round, never dropped silently', async () => {
  const findings = findingsFor(2);
  hub.failFinding(findings[0]!.Id, 'InternalFailure', 99);
  const result = await publisher({ retryRounds: 2 }).importFindings(findings);
  expect(hub.requests).toEqual([2, 1, 1]);
  expect(result.imported).toEqual([findings[1]!.Id]);
  expect(result.failed).toEqual([{ id: findings[0]!.Id, errorCode: 'InternalFailure', errorMessage: 'scripted InternalFailure' }]);
  expect(sleeps.filter((ms) => ms >= 1)).toEqual(expect.arrayContaining([1, 2]));
});

it('throttling (429 LimitExceededException) is absorbed by the SDK retries: everything is accepted', async () => {
  hub.throttleNext(2);
  const findings = findingsFor(120);
  const result = await publisher({ maxAttempts: 3 }).importFindings(findings);
  expect(result.failed).toEqual([]);
  expect(hub.findings.size).toBe(120);
  expect(hub.requests).toEqual([100, 20]);
});

it('throttling that outlives the SDK retries gets later rounds; what still fails is reported', async () => {
  // maxAttempts 1: no SDK retry, so the adapter's own rounds are what absorbs the throttle.
  hub.throttleNext(1);
  const findings = findingsFor(3);
  const absorbed = await publisher({ maxAttempts: 1, retryRounds: 2 }).importFindings(findings);
  expect(absorbed.imported).toHaveLength(3);
  expect(sink.metric('SecurityHubThrottled')).toBe(1);

  hub.throttleNext(1000);
  const persistent = await publisher({ maxAttempts: 1, retryRounds: 1 }).importFindings(findingsFor(2));
  expect(persistent.imported).toEqual([]);
  expect(persistent.failed.map((failure) => failure.errorCode)).toEqual(['LimitExceededException', 'LimitExceededException']);
  expect(sink.metric('SecurityHubFindingsFailed')).toBe(2);
});

it('Security Hub not enabled: one clear log line and one metric per batch, no exception, no calls during the cooldown', async () => {
  hub.setNotEnabled(true);
  const shared = publisher();
  const result = await shared.importFindings(findingsFor(150));
  expect(result.imported).toEqual([]);
  expect(result.unavailable?.errorCode).toBe('InvalidAccessException');
  expect(sink.lines.filter((line) => line.level === 'error')).toHaveLength(1);
  expect(sink.lines.find((line) => line.level === 'error')?.message).toMatch(/not enabled, not subscribed or denied/);
  expect(sink.metric('SecurityHubUnavailable')).toBe(1);
  expect(sink.metric('SecurityHubFindingsNotImported')).toBe(150);

  hub.setNotEnabled(false);
  const again = await shared.importFindings(findingsFor(1));
  expect(again.unavailable?.errorCode).toBe('InvalidAccessException');
  expect(hub.requests).toEqual([]);
  expect(sink.metric('SecurityHubUnavailable')).toBe(2);
});

it('every finding the domain builds is accepted by the fake service\'s ASFF checks, and an update with the same UpdatedAt is not', async () => {
  const findings = findingsFor(1);
  expect((await publisher().importFindings(findings)).imported).toHaveLength(1);
  const replay = await publisher().importFindings(findings);
  expect(replay.failed[0]?.errorMessage).toMatch(/UpdatedAt does not move forward/);
});
