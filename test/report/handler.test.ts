/**
 * The report handler module as Lambda loads it: the ledger on dynalite, SSM, S3 and SNS through
 * aws-sdk-client-mock (S3 backed by a map, so the second run reads what the first one wrote).
 * Asserts the PutObject keys and content types, the history read back, and one REPORT message.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  DescribeInstanceAssociationsStatusCommand,
  DescribeInstanceInformationCommand,
  DescribeInstancePatchesCommand,
  DescribeInstancePatchStatesCommand,
  ListCommandInvocationsCommand,
  ListResourceComplianceSummariesCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoRemediationLedger } from '../../lambdas/adapters/dynamo-ledger';
import type { ReportHandlerResult } from '../../lambdas/handlers/report';
import { startLedgerTable, type LocalTable } from '../ledger/dynalite';

const CLEAN = 'i-0aaaaaaaaaaaaaaa1';
const MISSING = 'i-0aaaaaaaaaaaaaaa2';
const BUCKET = 'autopilot-reports-bucket';
const ACCOUNT = '111122223333';
let table: LocalTable;
let handler: (event: Record<string, unknown>) => Promise<ReportHandlerResult>;
const savedEnv = { ...process.env };
const ssm = mockClient(SSMClient);
const s3 = mockClient(S3Client);
const sns = mockClient(SNSClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const objects = new Map<string, { body: string; contentType: string }>();

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
const info = (id: string, name: string) => ({
  InstanceId: id, PingStatus: 'Online', PlatformType: 'Linux', PlatformName: 'Amazon Linux', PlatformVersion: '2023', AgentVersion: '3.3.1345.0',
  ComputerName: name, IPAddress: '10.0.0.1', AssociationStatus: 'Success', ResourceType: 'EC2Instance', LastPingDateTime: hoursAgo(0.1),
});
const patchState = (id: string, missing: number) => ({
  InstanceId: id, BaselineId: 'pb-0c10e65780EXAMPLE', PatchGroup: '', InstalledCount: 40, MissingCount: missing, FailedCount: 0, InstalledPendingRebootCount: 0,
  InstalledRejectedCount: 0, NotApplicableCount: 900, Operation: 'Scan' as const, OperationStartTime: hoursAgo(2.1), OperationEndTime: hoursAgo(2), RebootOption: 'RebootIfNeeded' as const,
  CriticalNonCompliantCount: missing > 0 ? 1 : 0, SecurityNonCompliantCount: missing, OtherNonCompliantCount: 0, SnapshotId: 'x',
});

function mockSsm() {
  // Tags per node (GetResources): MISSING carries its EC2 Name tag and the scope tag; CLEAN none.
  tagging.reset();
  tagging.on(GetResourcesCommand).resolves({
    ResourceTagMappingList: [
      { ResourceARN: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/${MISSING}`, Tags: [{ Key: 'Name', Value: 'billing-api-1' }, { Key: 'ComplianceAutopilot', Value: 'auto' }] },
    ],
  });
  ssm.reset();
  ssm.onAnyCommand().resolves({});
  ssm.on(DescribeInstanceInformationCommand).callsFake((input: { Filters?: Array<{ Key: string; Values: string[] }> }) => {
    const filter = input.Filters?.[0];
    const all = [info(CLEAN, 'ip-10-0-0-1'), info(MISSING, 'ip-10-0-0-2')];
    if (!filter) return { InstanceInformationList: all };
    if (filter.Key === 'InstanceIds') return { InstanceInformationList: all.filter((entry) => filter.Values.includes(entry.InstanceId)) };
    // Scope tag index: MISSING is tagged auto.
    return { InstanceInformationList: filter.Values.includes('auto') ? [info(MISSING, 'ip-10-0-0-2')] : [] };
  });
  ssm.on(DescribeInstancePatchStatesCommand).resolves({ InstancePatchStates: [patchState(CLEAN, 0), patchState(MISSING, 2)] });
  ssm.on(ListResourceComplianceSummariesCommand).resolves({
    ResourceComplianceSummaryItems: [
      { ComplianceType: 'Patch', ResourceType: 'ManagedInstance', ResourceId: MISSING, Status: 'NON_COMPLIANT', OverallSeverity: 'CRITICAL', NonCompliantSummary: { NonCompliantCount: 2, SeveritySummary: { CriticalCount: 1, HighCount: 1, MediumCount: 0, LowCount: 0, InformationalCount: 0, UnspecifiedCount: 0 } } },
    ],
  });
  ssm.on(DescribeInstancePatchesCommand).resolves({
    Patches: [
      { Title: 'openssl-libs.x86_64:1:3.0.8-1.amzn2023.0.14', KBId: 'openssl-libs.x86_64', Classification: 'Security', Severity: 'Critical', State: 'Missing', InstalledTime: new Date(0), CVEIds: 'CVE-2026-0001' },
      { Title: '=HYPERLINK("http://x")', KBId: 'curl.x86_64', Classification: 'Security', Severity: 'Important', State: 'Missing', InstalledTime: new Date(0), CVEIds: '' },
      // Real responses spell State "Missing" where the model's enum says "MISSING" (AWS-FACTS.md).
    ] as never,
  });
  ssm.on(DescribeInstanceAssociationsStatusCommand).resolves({ InstanceAssociationStatusInfos: [] });
  ssm.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [] });
}

beforeAll(async () => {
  table = await startLedgerTable('report-handler-ledger');
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    LEDGER_TABLE_NAME: table.tableName,
    ALERT_TOPIC_ARN: `arn:aws:sns:eu-west-1:${ACCOUNT}:autopilot-alerts`,
    REPORT_BUCKET_NAME: BUCKET,
    COMMAND_LOG_GROUP: '/ssm-compliance-autopilot/SsmComplianceAutopilot/commands',
    POWERTOOLS_SERVICE_NAME: 'report',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  });
  s3.on(PutObjectCommand).callsFake((input: { Bucket: string; Key: string; Body: string; ContentType: string }) => {
    expect(input.Bucket).toBe(BUCKET);
    objects.set(input.Key, { body: input.Body, contentType: input.ContentType });
    return {};
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const found = objects.get(input.Key);
    if (!found) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    return { Body: { transformToString: async () => found.body } };
  });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  handler = (await import('../../lambdas/handlers/report')).handler;
});
afterAll(async () => {
  process.env = savedEnv;
  await table.close();
});

test('a scheduled run writes the CSVs, the HTML, latest copies and history, and sends one REPORT message', async () => {
  mockSsm();
  const ledger = new DynamoRemediationLedger(table.documentClient, table.tableName);
  const acquired = await ledger.acquireLock({ instanceId: MISSING, action: 'INSTALL_PATCHES', causes: ['MISSING_PATCHES'], reboot: false, now: hoursAgo(0.5), maxRemediationsInFlight: 50, maxRebootsInFlight: 10 });
  if (!acquired.acquired) throw new Error('lock not acquired');
  await ledger.attachCommand(acquired.lock, 'cmd-in-flight-1');
  await ledger.recordAttempts(MISSING, ['MISSING_PATCHES'], hoursAgo(0.5), 24);

  const result = await handler({ source: 'aws.scheduler' });
  const keys = [...objects.keys()].sort();
  const time = String.raw`\d{8}T\d{6}Z`;
  const day = String.raw`year=\d{4}/month=\d{2}/day=\d{2}`;
  const name = `${ACCOUNT}-eu-west-1-${time}`;
  const expected = [
    new RegExp(`^history/daily/${day}/${ACCOUNT}-eu-west-1\\.json$`),
    new RegExp(`^history/tracking/${ACCOUNT}-eu-west-1\\.json$`),
    /^latest\/all-nodes\.csv$/,
    /^latest\/report\.html$/,
    new RegExp(`^reports/all-nodes/${day}/${name}\\.csv$`),
    new RegExp(`^reports/html/${day}/${name}\\.html$`),
    new RegExp(`^reports/nodes/${day}/${name}/node-${MISSING}\\.csv$`),
  ];
  expect(keys).toHaveLength(expected.length);
  for (const pattern of expected) expect(keys.filter((key) => pattern.test(key))).toHaveLength(1);
  expect(result).toMatchObject({ nodes: 2, nonCompliant: 1, unreadable: 0 });

  for (const [key, object] of objects) {
    if (key.endsWith('.csv')) expect(object.contentType).toBe('text/csv; charset=utf-8');
    else if (key.endsWith('.html')) expect(object.contentType).toBe('text/html; charset=utf-8');
    else expect(object.contentType).toBe('application/json; charset=utf-8');
  }
  const allNodes = objects.get('latest/all-nodes.csv')!.body;
  const [, clean, missing] = allNodes.split('\r\n');
  expect(clean).toContain(`${CLEAN},ip-10-0-0-1 (hostname),`);
  expect(missing).toContain(`${MISSING},billing-api-1,`);
  expect(clean).toContain(',COMPLIANT,,0,0,0,0,0,0,,NONE,none,');
  expect(missing).toContain(',NON_COMPLIANT,CRITICAL,1,1,0,0,0,0,MISSING_PATCHES,INSTALL_PATCHES,in flight,cmd-in-flight-1,InProgress,1,');
  const nodeCsv = objects.get(keys.find((key) => key.includes(`node-${MISSING}`))!)!.body;
  expect(nodeCsv.split('\r\n')[2]).toContain(`"'=HYPERLINK(""http://x"")"`);

  // Detail calls only for the non-compliant node.
  const detailed = ssm.commandCalls(DescribeInstancePatchesCommand).map((call) => call.args[0].input.InstanceId);
  expect(detailed).toEqual([MISSING]);

  const published = sns.commandCalls(PublishCommand);
  expect(published).toHaveLength(1);
  const input = published[0]!.args[0].input;
  expect(input.MessageAttributes?.['kind']).toEqual({ DataType: 'String', StringValue: 'REPORT' });
  expect(input.Subject).toMatch(/^REPORT \d{4}-\d{2}-\d{2} 50% compliant, 1 of 2 non-compliant$/);
  const document = JSON.parse(JSON.parse(input.Message!).sqs as string) as { keys: Record<string, string>; bucket: string };
  expect(document.bucket).toBe(BUCKET);
  expect(keys).toContain(document.keys['allNodes']);
  expect(keys).toContain(document.keys['html']);
});

test('the next run reads the history back: the trend has the earlier day, "since" is kept', async () => {
  const tracking = objects.get(`history/tracking/${ACCOUNT}-eu-west-1.json`)!;
  const since = (JSON.parse(tracking.body) as { nodes: Record<string, { since: string }> }).nodes[MISSING]!.since;
  // An earlier day's summary, as a previous run would have left it.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const today = JSON.parse(objects.get([...objects.keys()].find((key) => key.startsWith('history/daily/'))!)!.body) as Record<string, unknown>;
  const earlier = { ...today, date: yesterday, generatedAt: `${yesterday}T06:00:00.000Z`, byStatus: { COMPLIANT: 1, NON_COMPLIANT: 3, UNREPORTED: 0 }, nodes: 4 };
  objects.set(`history/daily/year=${yesterday.slice(0, 4)}/month=${yesterday.slice(5, 7)}/day=${yesterday.slice(8, 10)}/${ACCOUNT}-eu-west-1.json`, { body: JSON.stringify(earlier), contentType: 'application/json' });
  mockSsm();
  sns.resetHistory();

  await handler({ source: 'aws.scheduler' });
  const html = objects.get('latest/report.html')!.body;
  expect(html).toContain(`${yesterday}: 25%`);
  expect(objects.get('latest/all-nodes.csv')!.body).toContain(`,${since},auto,`);
  expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
});
