/**
 * The follow-up handler module as Lambda loads it: environment from the stack's contract, the ledger
 * on dynalite (AWS_ENDPOINT_URL_DYNAMODB, the SDK's service-specific endpoint variable), SNS / SSM /
 * EventBridge through aws-sdk-client-mock.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCommandInvocationCommand, ListCommandInvocationsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoRemediationLedger } from '../../lambdas/adapters/dynamo-ledger';
import { startLedgerTable, type LocalTable } from '../ledger/dynalite';

const INSTANCE = 'i-0123456789abcdef0';
const COMMAND = 'b8e3c0e4-71f7-4491-898f-c9b35bee5f3b';
let table: LocalTable;
let handler: (event: unknown) => Promise<unknown>;
const savedEnv = { ...process.env };
const sns = mockClient(SNSClient);
const ssm = mockClient(SSMClient);
const eventBridge = mockClient(EventBridgeClient);

beforeAll(async () => {
  table = await startLedgerTable('follow-up-ledger');
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    LEDGER_TABLE_NAME: table.tableName,
    COMMAND_LOG_GROUP: '/ssm-compliance-autopilot/SsmComplianceAutopilot/commands',
    ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:autopilot-alerts',
    EVENT_BUS_NAME: 'default',
    POWERTOOLS_SERVICE_NAME: 'follow-up',
    POWERTOOLS_METRICS_NAMESPACE: 'SsmComplianceAutopilot',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  });
  // Loaded after the environment is set, as Lambda would; same module registry as the mocks above.
  handler = (await import('../../lambdas/handlers/follow-up')).handler;
});
afterAll(async () => {
  process.env = savedEnv;
  await table.close();
});

test('a Failed status of our command: alert with the output, lock released in DynamoDB, lifecycle event', async () => {
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  ssm.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [{ CommandPlugins: [{ Name: 'PatchWindows', Status: 'Failed', StatusDetails: 'Failed' }] }] });
  ssm.on(GetCommandInvocationCommand).resolves({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 1, StandardErrorContent: '', StandardOutputContent: 'Install-PatchBaselineOperation : 0x80240438 Windows Update could not reach the service' });

  const ledger = new DynamoRemediationLedger(table.documentClient, table.tableName);
  const acquired = await ledger.acquireLock({ instanceId: INSTANCE, action: 'REBOOT_NODE', causes: ['PENDING_REBOOT'], reboot: true, now: new Date('2026-11-22T07:02:29.000Z'), maxRemediationsInFlight: 50, maxRebootsInFlight: 10 });
  if (!acquired.acquired) throw new Error('lock not acquired');
  await ledger.attachCommand(acquired.lock, COMMAND);

  const event = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'status-failed.json'), 'utf8'));
  await expect(handler(event)).resolves.toMatchObject({ kind: 'FAILED', status: 'Failed', alerted: true });

  expect(ssm.commandCalls(GetCommandInvocationCommand)[0]!.args[0].input.PluginName).toBe('PatchWindows');
  const publish = sns.commandCalls(PublishCommand)[0]!.args[0].input;
  expect(publish.TopicArn).toBe('arn:aws:sns:eu-west-1:111122223333:autopilot-alerts');
  expect(publish.MessageAttributes?.['account']?.StringValue).toBe('111122223333');
  const text = (JSON.parse(publish.Message!) as Record<string, string>)['default']!;
  expect(text).toContain('0x80240438');
  expect(text).toContain('%PROGRAMDATA%\\Amazon\\PatchBaselineOperations');
  const inFlight = await ledger.readInFlight();
  expect(inFlight.locks).toHaveLength(0);
  expect((await ledger.readNodes([INSTANCE])).get(INSTANCE)?.lastCommandEndedAt).toBe('2026-11-22T07:09:47.000Z');
  expect(eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries?.[0]?.DetailType).toBe('Remediation Failed');
});
