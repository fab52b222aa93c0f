/**
 * Cross-field checks of the runtime settings: a table of agreeing and contradicting combinations, and
 * the three places that parse settings (Lambdas, diagnose CLI, cdk synth) refusing the same ones.
 */
import { DEFAULT_SETTINGS, parseSettings, type AutopilotSettings } from '../../lambdas/domain/settings';
import { settingsConflicts } from '../../lambdas/domain/settings-conflicts';
import { buildCommon } from '../../lambdas/wiring/common';
import { loadConfig } from '../../lib/config';

const withSettings = (overrides: Partial<AutopilotSettings>): AutopilotSettings => ({ ...DEFAULT_SETTINGS, ...overrides });

describe('settingsConflicts', () => {
  it('finds none in the documented defaults', () => {
    expect(settingsConflicts(DEFAULT_SETTINGS)).toEqual([]);
  });

  it.each<[string, Partial<AutopilotSettings>]>([
    // 180 min = 10800 s > 1800 + 7200
    ['default lock vs delivery + execution timeout', {}],
    ['lock just above delivery + execution timeout', { commandDeliveryTimeoutSeconds: 3540, lockTimeoutMinutes: 180 }],
    ['reboot cap equal to the remediation cap', { maxRebootsInFlight: 50, maxRemediationsInFlight: 50 }],
    ['no cooldown: any attempt cap fits the window', { cooldownMinutes: 0, maxAttemptsPerCause: 100, attemptWindowHours: 1 }],
    ['one attempt: the cap always binds', { cooldownMinutes: 10080, maxAttemptsPerCause: 1, attemptWindowHours: 1 }],
    ['3 attempts 11 h apart fit in 24 h', { cooldownMinutes: 660, maxAttemptsPerCause: 3, attemptWindowHours: 24 }],
    ['stale limit one hour above reverify', { staleScanHours: 7, reverifyHours: 6 }],
  ])('accepts %s', (_name, overrides) => {
    expect(settingsConflicts(withSettings(overrides))).toEqual([]);
  });

  it.each<[string, Partial<AutopilotSettings>, string[], RegExp]>([
    [
      'a delivery timeout of a day with a 3 h lock (the issue\'s example)',
      { commandDeliveryTimeoutSeconds: 86400, lockTimeoutMinutes: 180 },
      ['lockTimeoutMinutes', 'commandDeliveryTimeoutSeconds'],
      /^lockTimeoutMinutes \(180 min = 10800 s\) must exceed commandDeliveryTimeoutSeconds \(86400 s\) \+ AWS-RunPatchBaseline's execution timeout \(7200 s\) = 93600 s/,
    ],
    [
      'a lock exactly as long as delivery + execution',
      { commandDeliveryTimeoutSeconds: 3600, lockTimeoutMinutes: 180 },
      ['lockTimeoutMinutes', 'commandDeliveryTimeoutSeconds'],
      /= 10800 s.*raise lockTimeoutMinutes above 180/,
    ],
    [
      'a reboot cap above the remediation cap',
      { maxRebootsInFlight: 11, maxRemediationsInFlight: 10 },
      ['maxRebootsInFlight', 'maxRemediationsInFlight'],
      /^maxRebootsInFlight \(11\) must not exceed maxRemediationsInFlight \(10\)/,
    ],
    [
      'a cooldown as long as the attempt window',
      { cooldownMinutes: 1440, maxAttemptsPerCause: 2, attemptWindowHours: 24 },
      ['cooldownMinutes', 'attemptWindowHours', 'maxAttemptsPerCause'],
      /^cooldownMinutes \(1440\) x \(maxAttemptsPerCause \(2\) - 1\) = 1440 min must be shorter than attemptWindowHours \(24 h = 1440 min\)/,
    ],
    [
      'five attempts one hour apart in a 3 h window',
      { cooldownMinutes: 60, maxAttemptsPerCause: 5, attemptWindowHours: 3 },
      ['cooldownMinutes', 'attemptWindowHours', 'maxAttemptsPerCause'],
      /= 240 min must be shorter than attemptWindowHours \(3 h = 180 min\)/,
    ],
    [
      'a stale-scan limit at the reverify period',
      { staleScanHours: 6, reverifyHours: 6 },
      ['staleScanHours', 'reverifyHours'],
      /^staleScanHours \(6 h\) must be greater than reverifyHours \(6 h\)/,
    ],
  ])('refuses %s, naming both options', (_name, overrides, options, message) => {
    const conflicts = settingsConflicts(withSettings(overrides));
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.options).toEqual(options);
    expect(conflicts[0]!.message).toMatch(message);
    for (const option of options) expect(conflicts[0]!.message).toContain(option);
    expect(conflicts[0]!.message).not.toContain('\n');
  });

  it('reports every contradiction, one line each', () => {
    const conflicts = settingsConflicts(
      withSettings({ commandDeliveryTimeoutSeconds: 86400, maxRebootsInFlight: 60, staleScanHours: 2, reverifyHours: 6 }),
    );
    expect(conflicts.map((conflict) => conflict.options[0])).toEqual(['lockTimeoutMinutes', 'maxRebootsInFlight', 'staleScanHours']);
  });
});

const CONTRADICTING = { commandDeliveryTimeoutSeconds: 86400, lockTimeoutMinutes: 180 };

describe('every parser of settings refuses a contradiction', () => {
  it('parseSettings (the diagnose CLI --config)', () => {
    expect(() => parseSettings(CONTRADICTING, '--config x.json')).toThrow(
      /^Contradicting settings in --config x\.json:\n {2}- lockTimeoutMinutes \(180 min = 10800 s\) must exceed commandDeliveryTimeoutSeconds \(86400 s\)/,
    );
  });

  it('the Lambdas, at cold start, from AUTOPILOT_SETTINGS', () => {
    expect(() =>
      buildCommon({ AUTOPILOT_SETTINGS: JSON.stringify(CONTRADICTING), ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:alerts', LEDGER_TABLE_NAME: 'ledger' }),
    ).toThrow(/Contradicting settings in AUTOPILOT_SETTINGS:\n.*lockTimeoutMinutes.*commandDeliveryTimeoutSeconds/);
  });

  it('cdk synth (loadConfig), one line per problem under the option, without the single-option range', () => {
    let message = '';
    try {
      loadConfig({ 'autopilot.commandDeliveryTimeoutSeconds': '86400', 'autopilot.maxRebootsInFlight': '60' });
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n').filter((line) => line.startsWith('  - '));
    expect(lines).toEqual([
      expect.stringMatching(/^ {2}- autopilot\.lockTimeoutMinutes: lockTimeoutMinutes \(180 min = 10800 s\) must exceed commandDeliveryTimeoutSeconds \(86400 s\).*lower commandDeliveryTimeoutSeconds$/),
      expect.stringMatching(/^ {2}- autopilot\.maxRebootsInFlight: maxRebootsInFlight \(60\) must not exceed maxRemediationsInFlight \(50\)/),
    ]);
    expect(message).not.toContain('allowed:');
  });

  it('cdk synth: the sweep must run at least once per reverifyHours', () => {
    expect(() => loadConfig({ 'autopilot.sweepIntervalMinutes': '120', 'autopilot.reverifyHours': '1' })).toThrow(
      /autopilot\.sweepIntervalMinutes: sweepIntervalMinutes \(120\) must not exceed reverifyHours \(1 h = 60 min\)/,
    );
    expect(loadConfig({ 'autopilot.sweepIntervalMinutes': '60', 'autopilot.reverifyHours': '1' }).infra.sweepIntervalMinutes).toBe(60);
  });
});
