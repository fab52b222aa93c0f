import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, parseSettingsInput, type ConfigurationError } from '../../lib/config';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';

describe('loadConfig', () => {
  it('gives the documented defaults without any context', () => {
    const config = loadConfig({});
    expect(config.settings).toEqual(DEFAULT_SETTINGS);
    expect(config.infra).toEqual({
      stackName: 'SsmComplianceAutopilot',
      createTrail: false,
      trailLogExpirationDays: 365,
      alertEmails: [],
      opsEmails: [],
      triageMaxConcurrency: 5,
      triageBatchSize: 100,
      triageBatchingWindowSeconds: 30,
      triageTimeoutSeconds: 300,
      maxReceiveCount: 5,
      logRetentionDays: 90,
      sweepIntervalMinutes: 15,
      enableNativeComplianceEvents: true,
      enableCloudTrailEvents: true,
      reports: true,
      reportSchedule: 'cron(0 6 * * ? *)',
      reportRetentionDays: 400,
    });
  });

  it('reads the autopilot object and lets flat -c strings override it, coerced to each type', () => {
    const config = loadConfig({
      autopilot: { mode: 'dry-run', triageMaxConcurrency: 20, alertEmails: ['a@example.com'] },
      'autopilot.triageMaxConcurrency': '50',
      'autopilot.createTrail': 'true',
      'autopilot.alertEmails': 'b@example.com, c@example.com',
      'autopilot.changeCalendarNames': '["Freeze"]',
      'autopilot.tagKey': '123',
      'unrelated:flag': true,
    });
    expect(config.settings.mode).toBe('dry-run');
    expect(config.settings.changeCalendarNames).toEqual(['Freeze']);
    expect(config.settings.tagKey).toBe('123');
    expect(config.infra).toMatchObject({ triageMaxConcurrency: 50, createTrail: true, alertEmails: ['b@example.com', 'c@example.com'] });
  });

  it('accepts the autopilot object as a JSON string (-c autopilot=\'{...}\')', () => {
    expect(loadConfig({ autopilot: '{"defaultNodeMode":"off","sweepIntervalMinutes":5}' })).toMatchObject({
      infra: { sweepIntervalMinutes: 5 },
      settings: { defaultNodeMode: 'off' },
    });
    expect(() => loadConfig({ autopilot: '{oops' })).toThrow('autopilot: a string but not JSON, got "{oops"');
  });

  it.each([
    [{ 'autopilot.mode': 'yolo' }, 'autopilot.mode', 'not an allowed value, got "yolo" (allowed: auto | dry-run | notify-only | paused)'],
    [{ 'autopilot.triageMaxConcurrency': '1' }, 'autopilot.triageMaxConcurrency', 'too small, got 1 (allowed: integer 2..1000)'],
    [{ 'autopilot.triageMaxConcurrency': 'ten' }, 'autopilot.triageMaxConcurrency', 'not a number, got "ten" (allowed: integer 2..1000)'],
    [{ 'autopilot.createTrail': 'yes' }, 'autopilot.createTrail', 'not a boolean, got "yes" (allowed: true | false)'],
    [{ 'autopilot.logRetentionDays': '45' }, 'autopilot.logRetentionDays', 'must be one of 1, 3, 5, 7, 14, 30, 60, 90'],
    [
      { 'autopilot.alertEmails': 'oncall@example.com,not-an-email' },
      'autopilot.alertEmails.1',
      'not an e-mail address, got "not-an-email" (allowed: e-mail addresses as a JSON array or a comma-separated list, at most 50)',
    ],
    [{ 'autopilot.defaultNodeMode': 'sometimes' }, 'autopilot.defaultNodeMode', 'allowed: auto | notify | off'],
    [{ 'autopilot.maxRebootsInFlight': '0' }, 'autopilot.maxRebootsInFlight', 'too small, got 0 (allowed: integer 1..10000)'],
    [{ 'autopilot.triageBatchingWindowSeconds': '0' }, 'autopilot.triageBatchingWindowSeconds', 'at least 1 when triageBatchSize is above 10'],
    [{ 'autopilot.enableCloudTrailEvents': 'false', 'autopilot.enableNativeComplianceEvents': 'false' }, 'autopilot.enableCloudTrailEvents', 'at least one of'],
    [{ 'autopilot.triageMaxConcurency': '10' }, 'autopilot.triageMaxConcurency', 'unknown option, got "10"; did you mean `autopilot.triageMaxConcurrency`?'],
    [{ 'autopilot.mdoe': 'dry-run' }, 'autopilot.mdoe', 'unknown option, got "dry-run"; did you mean `autopilot.mode`?'],
    [{ autopilot: { dryRun: true } }, 'autopilot.dryRun', 'unknown option, got true (known: stackName, createTrail'],
    [{ mode: 'dry-run' }, 'mode', 'not read (options take the "autopilot." prefix), got "dry-run"; did you mean `autopilot.mode`?'],
    [{ alertEmails: 'a@example.com' }, 'alertEmails', 'did you mean `autopilot.alertEmails`?'],
    [{ 'Autopilot.mode': 'notify-only' }, 'Autopilot.mode', 'did you mean `autopilot.mode`?'],
    [{ 'autopilot-defaultNodeMode': 'auto' }, 'autopilot-defaultNodeMode', 'did you mean `autopilot.defaultNodeMode`?'],
    [{ triageMaxConcurency: '10' }, 'triageMaxConcurency', 'did you mean `autopilot.triageMaxConcurrency`?'],
  ])('rejects %j naming %s', (context, option, allowed) => {
    let message = '';
    try {
      loadConfig(context);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`\n  - ${option}: `);
    expect(message).toContain(allowed);
    // One line per problem after the header.
    expect(message.split('\n').slice(1).every((line) => line.startsWith('  - '))).toBe(true);
  });

  it('leaves CDK\'s own and unrelated context keys alone', () => {
    expect(() => loadConfig({ '@aws-cdk/core:newStyleStackSynthesis': true, 'aws:cdk:bundling-stacks': [], node: 'x', team: 'platform', 'my-app.env': 'prod' })).not.toThrow();
  });

  it('reports every problem at once, slips and values together', () => {
    expect(() => loadConfig({ mode: 'dry-run', 'autopilot.maxRebootsInFlight': '0' })).toThrow(
      /- mode: not read[^\n]*\n {2}- autopilot\.maxRebootsInFlight: too small, got 0/,
    );
  });
});

describe('diagnose --config says what synth says', () => {
  it.each([
    [{ mode: 'yolo' }],
    [{ maxRebootsInFlight: 0 }],
    [{ changeCalendarNames: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'] }],
    [{ mdoe: 'auto' }],
  ])('%j', (settings) => {
    const synthLines = (() => {
      try {
        loadConfig({ autopilot: settings });
      } catch (error) {
        return (error as ConfigurationError).problems;
      }
      return [];
    })();
    const fileLines = (() => {
      try {
        parseSettingsInput(settings, '--config x.json');
      } catch (error) {
        return (error as ConfigurationError).problems;
      }
      return [];
    })();
    expect(synthLines.length).toBeGreaterThan(0);
    expect(fileLines).toEqual(synthLines.map((line) => line.replaceAll('autopilot.', '')));
  });
});

describe('cdk synth with a wrong -c value', () => {
  it('fails before building anything, naming the option and the allowed values', async () => {
    const root = join(__dirname, '..', '..');
    const outdir = mkdtempSync(join(tmpdir(), 'autopilot-bad-config-'));
    const run = promisify(execFile)(
      join(root, 'node_modules', '.bin', 'cdk'),
      ['synth', '--quiet', '--no-notices', '--no-version-reporting', '-o', outdir, '-c', 'autopilot.defaultNodeMode=sometimes', '-c', 'mode=dry-run'],
      { cwd: root, env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } },
    );
    const failure = (await run.then(() => null, (error: unknown) => error)) as { code?: number; stderr?: string } | null;
    expect(failure).not.toBeNull();
    expect(failure?.code).not.toBe(0);
    expect(failure?.stderr).toContain('autopilot.defaultNodeMode');
    expect(failure?.stderr).toContain('autopilot.defaultNodeMode: not an allowed value, got "sometimes" (allowed: auto | notify | off)');
    expect(failure?.stderr).toContain('mode: not read (options take the "autopilot." prefix), got "dry-run"; did you mean `autopilot.mode`?');
    // The lines that say what is wrong, no Node stack trace.
    expect(failure?.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
    expect(failure?.stderr).not.toContain('ConfigurationError');
  });
});
