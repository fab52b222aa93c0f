/**
 * The triage Lambda entry point as Lambda runs it: module loaded with the stack's environment,
 * dependencies built from it, EMF metrics in the SsmComplianceAutopilot namespace.
 */
import type { Context, SQSEvent } from 'aws-lambda';
import { buildDependencies } from '../../lambdas/wiring';

const ENV = {
  AUTOPILOT_SETTINGS: JSON.stringify({ mode: 'dry-run' }),
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:alerts',
  LEDGER_TABLE_NAME: 'ledger',
  COMMAND_LOG_GROUP: '/ssm-compliance-autopilot/SsmComplianceAutopilot/commands',
  EVENT_BUS_NAME: 'default',
  OWN_ROLE_NAMES: 'triage-role,follow-up-role',
  POWERTOOLS_SERVICE_NAME: 'triage',
  POWERTOOLS_METRICS_NAMESPACE: 'SsmComplianceAutopilot',
  AWS_REGION: 'eu-west-1',
};

describe('wiring', () => {
  it('names the missing environment variable and the wrong setting', () => {
    expect(() => buildDependencies({ ...ENV, LEDGER_TABLE_NAME: undefined })).toThrow('LEDGER_TABLE_NAME is required');
    expect(() => buildDependencies({ ...ENV, AUTOPILOT_SETTINGS: JSON.stringify({ mode: 'yolo' }) })).toThrow(/AUTOPILOT_SETTINGS[\s\S]*mode/);
  });

  it('parses the settings from AUTOPILOT_SETTINGS', () => {
    expect(buildDependencies(ENV).settings).toMatchObject({ mode: 'dry-run', maxRebootsInFlight: 10 });
  });
});

describe('triage handler', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it('acknowledges a malformed record, logs it with its message ID and publishes MalformedEvents as EMF', async () => {
    // POWERTOOLS_DEV sends logs and EMF through the global console (capturable); it would disable metrics unless told otherwise.
    Object.assign(process.env, ENV, { POWERTOOLS_DEV: 'true', POWERTOOLS_METRICS_DISABLED: 'false' });
    const output: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        output.push(args.map(String).join(' '));
      }),
    );
    try {
      const { handler } = await import('../../lambdas/handlers/triage');
      const event = { Records: [{ messageId: 'msg-bad', body: 'not json' }] } as unknown as SQSEvent;
      const result = await handler(event, { functionName: 'triage', awsRequestId: 'req-1' } as Context);
      expect(result).toEqual({ batchItemFailures: [] });
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
    const emf = output.map((line) => safeJson(line)).find((entry) => entry && '_aws' in entry);
    expect(emf).toMatchObject({ MalformedEvents: 1, _aws: { CloudWatchMetrics: [{ Namespace: 'SsmComplianceAutopilot' }] } });
    expect(output.some((line) => line.includes('malformed event dropped') && line.includes('msg-bad'))).toBe(true);
  });
});

function safeJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
