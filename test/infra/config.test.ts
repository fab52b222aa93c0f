import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../lib/config';
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
    expect(() => loadConfig({ autopilot: '{oops' })).toThrow('context "autopilot" is a string but not JSON');
  });

  it.each([
    [{ 'autopilot.mode': 'yolo' }, 'autopilot.mode', 'allowed: auto | dry-run | notify-only'],
    [{ 'autopilot.triageMaxConcurrency': '1' }, 'autopilot.triageMaxConcurrency', 'allowed: integer 2..1000'],
    [{ 'autopilot.triageMaxConcurrency': 'ten' }, 'autopilot.triageMaxConcurrency', 'allowed: integer 2..1000'],
    [{ 'autopilot.createTrail': 'yes' }, 'autopilot.createTrail', 'allowed: true | false'],
    [{ 'autopilot.logRetentionDays': '45' }, 'autopilot.logRetentionDays', 'must be one of 1, 3, 5, 7, 14, 30, 60, 90'],
    [{ 'autopilot.alertEmails': 'not-an-email' }, 'autopilot.alertEmails.0', 'Invalid email'],
    [{ 'autopilot.defaultNodeMode': 'sometimes' }, 'autopilot.defaultNodeMode', 'allowed: auto | notify | off'],
    [{ 'autopilot.maxRebootsInFlight': '0' }, 'autopilot.maxRebootsInFlight', 'allowed: integer 1..10000'],
    [{ 'autopilot.triageBatchingWindowSeconds': '0' }, 'autopilot.triageBatchingWindowSeconds', 'at least 1 when triageBatchSize is above 10'],
    [{ 'autopilot.enableCloudTrailEvents': 'false', 'autopilot.enableNativeComplianceEvents': 'false' }, 'autopilot.enableCloudTrailEvents', 'at least one of'],
    [{ 'autopilot.triageMaxConcurency': '10' }, 'autopilot.triageMaxConcurency', 'unknown option'],
  ])('rejects %j naming %s', (context, option, allowed) => {
    let message = '';
    try {
      loadConfig(context);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`${option}:`);
    expect(message).toContain(allowed);
  });
});

describe('cdk synth with a wrong -c value', () => {
  it('fails before building anything, naming the option and the allowed values', async () => {
    const root = join(__dirname, '..', '..');
    const outdir = mkdtempSync(join(tmpdir(), 'autopilot-bad-config-'));
    const run = promisify(execFile)(
      join(root, 'node_modules', '.bin', 'cdk'),
      ['synth', '--quiet', '--no-notices', '--no-version-reporting', '-o', outdir, '-c', 'autopilot.defaultNodeMode=sometimes'],
      { cwd: root, env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } },
    );
    const failure = (await run.then(() => null, (error: unknown) => error)) as { code?: number; stderr?: string } | null;
    expect(failure).not.toBeNull();
    expect(failure?.code).not.toBe(0);
    expect(failure?.stderr).toContain('autopilot.defaultNodeMode');
    expect(failure?.stderr).toContain('allowed: auto | notify | off');
  });
});
