/**
 * The sweep handler module as Lambda loads it (wiring from the environment contract): the ledger on
 * dynalite via AWS_ENDPOINT_URL_DYNAMODB, SSM and the tagging API through aws-sdk-client-mock. A stale lock must be
 * released in DynamoDB and its node read again from SSM by the triage use case.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeInstanceInformationCommand, DescribeInstancePatchStatesCommand, ListCommandInvocationsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import { DynamoRemediationLedger } from '../../lambdas/adapters/dynamo-ledger';
import type { SweepReport } from '../../lambdas/usecases/sweep';
import { startLedgerTable, type LocalTable } from '../ledger/dynalite';

const INSTANCE = 'i-0fedcba9876543210';
let table: LocalTable;
let handler: (event: Record<string, unknown>, context?: Context) => Promise<SweepReport>;
const savedEnv = { ...process.env };
const ssm = mockClient(SSMClient);
// The node's tags (GetResources, per evaluated node): none.
mockClient(ResourceGroupsTaggingAPIClient).on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
const eventBridge = mockClient(EventBridgeClient);

beforeAll(async () => {
  table = await startLedgerTable('sweep-handler-ledger');
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    LEDGER_TABLE_NAME: table.tableName,
    COMMAND_LOG_GROUP: '/ssm-compliance-autopilot/SsmComplianceAutopilot/commands',
    ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:autopilot-alerts',
    POWERTOOLS_SERVICE_NAME: 'sweep',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  });
  handler = (await import('../../lambdas/handlers/sweep')).handler;
});
afterAll(async () => {
  process.env = savedEnv;
  await table.close();
});

test('a scheduled run settles a stale lock whose command SSM says ended, and re-reads the node from SSM', async () => {
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  ssm.on(ListCommandInvocationsCommand, { CommandId: 'cmd-whose-status-event-was-lost', InstanceId: INSTANCE }).resolves({
    CommandInvocations: [{ CommandId: 'cmd-whose-status-event-was-lost', InstanceId: INSTANCE, Status: 'Success', Comment: 'x' }],
  });
  ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [] });
  ssm.on(DescribeInstancePatchStatesCommand).resolves({ InstancePatchStates: [] });
  const ledger = new DynamoRemediationLedger(table.documentClient, table.tableName);
  const acquired = await ledger.acquireLock({ instanceId: INSTANCE, action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], reboot: false, now: new Date(Date.now() - 6 * 3_600_000), maxRemediationsInFlight: 50, maxRebootsInFlight: 10 });
  if (!acquired.acquired) throw new Error('lock not acquired');
  await ledger.attachCommand(acquired.lock, 'cmd-whose-status-event-was-lost');

  const scheduled = { version: '0', id: 'sweep-1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '111122223333', time: new Date().toISOString(), region: 'eu-west-1', resources: [], detail: {} };
  const context = { getRemainingTimeInMillis: () => 290_000, functionName: 'sweep', awsRequestId: 'r-1' } as unknown as Context;
  const report = await handler(scheduled, context);

  expect(report).toMatchObject({ staleLocksReleased: 1, evaluated: 1, evaluationFailures: 0, passComplete: true });
  expect((await ledger.readInFlight()).locks).toHaveLength(0);
  const asked = ssm.commandCalls(DescribeInstanceInformationCommand).flatMap((call) => JSON.stringify(call.args[0].input));
  expect(asked.join(' ')).toContain(INSTANCE);
});
