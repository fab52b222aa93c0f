/**
 * `npm run doctor` through the real SDK clients against a local endpoint with scripted answers
 * (SSM, CloudTrail, EventBridge, CloudWatch Logs, tagging API: JSON 1.1; IAM and STS: Query/XML).
 * Every call the doctor makes must be a read; the exit code follows the worst verdict.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { main, type DoctorIo } from '../../bin/doctor';
import { createSsmClient } from '../../lambdas/adapters/ssm-client';
import type { DoctorCheck } from '../../lambdas/domain/doctor/checks';

type Json = Record<string, unknown>;
type Reply = { status: number; body: string; xml?: boolean };
type Script = (service: string, operation: string, input: Json) => Reply | undefined;

const NOW = new Date('2026-11-20T14:00:00Z');
const epoch = (iso: string) => Date.parse(iso) / 1000;
const json = (body: unknown, status = 200): Reply => ({ status, body: JSON.stringify(body) });
const jsonError = (type: string, message: string): Reply => json({ __type: type, message }, 400);
const xmlError = (code: string): Reply => ({ status: 403, xml: true, body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${code}</Message></Error><RequestId>r</RequestId></ErrorResponse>` });

let server: Server;
let endpoint: string;
let script: Script;
const operations: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      let service: string;
      let operation: string;
      let input: Json;
      if (target) {
        [service, operation] = [target.split('.').slice(0, -1).join('.'), target.split('.').pop() ?? ''];
        input = body ? (JSON.parse(body) as Json) : {};
      } else {
        const form = new URLSearchParams(body);
        operation = form.get('Action') ?? '';
        service = operation === 'GetCallerIdentity' ? 'sts' : 'iam';
        input = Object.fromEntries(form);
      }
      operations.push(`${service}:${operation}`);
      const reply = script(service, operation, input) ?? jsonError('UnknownOperationException', `${service}:${operation}`);
      response.writeHead(reply.status, { 'content-type': reply.xml ? 'text/xml' : 'application/x-amz-json-1.1' });
      response.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => (operations.length = 0));

function io(files: Record<string, string> = {}): DoctorIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const config = { region: 'eu-west-1', endpoint, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 };
  return {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    readFile: async (path) => files[path] ?? '',
    env: {},
    clock: { now: () => NOW },
    clients: () => ({
      ssm: createSsmClient(config),
      cloudTrail: new CloudTrailClient(config),
      events: new EventBridgeClient(config),
      iam: new IAMClient(config),
      logs: new CloudWatchLogsClient(config),
      tagging: new ResourceGroupsTaggingAPIClient(config),
      region: async () => 'eu-west-1',
      account: async () => (await new STSClient(config).send(new GetCallerIdentityCommand({}))).Account ?? '',
    }),
    out: () => out,
    err: () => err,
  };
}

const NODES = ['i-0a7c3e91d2b4f6085', 'mi-0b3c5d7e9f1a2b4c6'];
const STS_OK: Reply = { status: 200, xml: true, body: '<GetCallerIdentityResponse><GetCallerIdentityResult><Account>111122223333</Account><Arn>arn:aws:iam::111122223333:user/ops</Arn><UserId>AIDA</UserId></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>' };

/** An account ready for the autopilot, except for one scope-tag typo. */
const ready: Script = (service, operation, input) => {
  if (service === 'sts') return STS_OK;
  if (service === 'iam' && operation === 'SimulatePrincipalPolicy') {
    return { status: 200, xml: true, body: '<SimulatePrincipalPolicyResponse><SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated><EvaluationResults><member><EvalActionName>logs:CreateLogStream</EvalActionName><EvalDecision>allowed</EvalDecision></member><member><EvalActionName>logs:PutLogEvents</EvalActionName><EvalDecision>allowed</EvalDecision></member></EvaluationResults></SimulatePrincipalPolicyResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SimulatePrincipalPolicyResponse>' };
  }
  if (operation === 'DescribeTrails') return json({ trailList: [{ Name: 'org-trail', TrailARN: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail', HomeRegion: 'us-east-1', IsMultiRegionTrail: true }] });
  if (operation === 'GetTrailStatus') return json({ IsLogging: true });
  if (operation === 'GetEventSelectors') return json({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
  if (operation === 'ListRules') {
    return json({
      Rules: [
        { Name: 'SsmComplianceAutopilot-EventIntakeCloudTrail-1', EventPattern: '{"detail-type":["AWS API Call via CloudTrail"]}' },
        { Name: 'SsmComplianceAutopilot-EventIntakeNative-1', EventPattern: '{"detail-type":["Configuration Compliance State Change"]}' },
        { Name: 'SsmComplianceAutopilot-CommandStatusRule-1', EventPattern: '{"detail-type":["EC2 Command Invocation Status-change Notification"]}' },
        { Name: 'SsmComplianceAutopilot-SweepSchedule-1', ScheduleExpression: 'rate(15 minutes)' },
      ],
    });
  }
  if (operation === 'DescribeLogGroups') return json({ logGroups: [{ logGroupName: '/ssm-compliance-autopilot/SsmComplianceAutopilot/commands' }] });
  if (operation === 'GetResources') return json({ ResourceTagMappingList: [{ ResourceARN: `arn:aws:ec2:eu-west-1:111122223333:instance/${NODES[0]}`, Tags: [{ Key: 'ComplianceAutopilot', Value: 'Off' }] }, { ResourceARN: 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0ffffffffffffffff', Tags: [{ Key: 'ComplianceAutopilot', Value: 'atuo' }] }] });
  switch (operation) {
    case 'DescribeInstanceInformation': {
      const ids = ((input['Filters'] as Array<{ Key: string; Values: string[] }> | undefined) ?? []).find((filter) => filter.Key === 'InstanceIds')?.Values ?? NODES;
      return json({ InstanceInformationList: ids.map((id) => ({ InstanceId: id, PingStatus: 'Online', AgentVersion: '3.3.1142.0', IsLatestVersion: true, AssociationStatus: 'Success', PlatformType: 'Linux', ...(id.startsWith('mi-') ? { IamRole: 'SSMServiceRole' } : {}) })) });
    }
    case 'DescribeInstancePatchStates':
      return json({ InstancePatchStates: ((input['InstanceIds'] as string[] | undefined) ?? []).map((id) => ({ InstanceId: id, BaselineId: 'pb-1', PatchGroup: '', OwnerInformation: '', Operation: 'Scan', OperationStartTime: epoch('2026-11-20T02:00:00Z'), OperationEndTime: epoch('2026-11-20T02:11:00Z'), MissingCount: 0 })) });
    case 'ListResourceComplianceSummaries':
      return json({ ResourceComplianceSummaryItems: [] });
    case 'ListAssociations':
      return json({ Associations: (input['AssociationFilterList'] as Array<{ value: string }>)[0]?.value === 'AWS-RunPatchBaseline' ? [{ AssociationName: 'nightly-scan', AssociationId: 'a-1', Name: 'AWS-RunPatchBaseline' }] : [] });
    case 'ListTagsForResource':
      return json({ TagList: [{ Key: 'ComplianceAutopilot', Value: ' auto' }] });
    case 'GetCalendarState':
      return json({ State: 'OPEN', AtTime: '2026-11-20T14:00:00Z' });
    case 'DescribeInstanceAssociationsStatus':
      return json({ InstanceAssociationStatusInfos: [] });
    case 'ListCommandInvocations':
      return json({ CommandInvocations: [] });
    default:
      return undefined;
  }
};

const verdicts = (report: { checks: DoctorCheck[] }) => Object.fromEntries(report.checks.map((check) => [check.id, check.verdict]));

test('a ready account: nothing fails (exit 0); a scope-tag typo and odd spellings are reported', async () => {
  script = ready;
  const cli = io({ 'settings.json': JSON.stringify({ changeCalendarNames: ['PatchFreeze'] }) });
  expect(await main(['--region', 'eu-west-1', '--json', '--config', 'settings.json'], cli)).toBe(0);
  const report = JSON.parse(cli.out()) as { verdict: string; account: string; checks: DoctorCheck[] };
  expect(report.account).toBe('111122223333');
  expect(verdicts(report)).toEqual({
    trail: 'ok',
    rules: 'ok',
    'nodes-online': 'ok',
    'agent-versions': 'ok',
    'patch-scan-age': 'ok',
    'patch-association': 'ok',
    'scope-tags': 'warn',
    'ssm-read-fallbacks': 'ok',
    'command-log-group': 'ok',
    'change-calendars': 'ok',
  });
  const scope = report.checks.find((check) => check.id === 'scope-tags')!;
  expect(scope.evidence[0]).toBe('auto: 1, notify: 0, off: 1');
  expect(scope.evidence.join('\n')).toMatch(/"atuo" \(1\)/);
  expect(report.verdict).toBe('warn');
  // Read-only: every operation is a Describe/List/Get/Simulate.
  expect(operations.filter((operation) => !/:(Describe|List|Get|SimulatePrincipalPolicy)/.test(operation))).toEqual([]);
});

test('an account that is not ready: failing checks with their fix, exit 1; refused filters show as fallbacks', async () => {
  script = (service, operation, input) => {
    // A logging trail whose advanced selectors keep read-only management events only.
    if (operation === 'DescribeTrails') return json({ trailList: [{ Name: 'reads-only', TrailARN: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/reads-only', HomeRegion: 'eu-west-1', IsMultiRegionTrail: false }] });
    if (operation === 'GetEventSelectors') {
      return json({ AdvancedEventSelectors: [{ Name: 'reads', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] }] });
    }
    if (operation === 'ListRules') return json({ Rules: [] });
    if (operation === 'DescribeLogGroups') return json({ logGroups: [] });
    if (service === 'iam') return xmlError('AccessDenied');
    if (operation === 'GetCalendarState') return jsonError('InvalidDocument', 'The calendar PatchFreeze does not exist');
    if (operation === 'ListAssociations') return json({ Associations: [] });
    if (operation === 'ListResourceComplianceSummaries' && JSON.stringify(input).includes('InstanceId')) return jsonError('InvalidFilter', 'InstanceId');
    if (operation === 'DescribeInstanceInformation' && !input['Filters']) {
      return json({ InstanceInformationList: [{ InstanceId: NODES[0], PingStatus: 'ConnectionLost', AgentVersion: '3.0.0.0', IsLatestVersion: false }, { InstanceId: NODES[1], PingStatus: 'Online', IamRole: 'SSMServiceRole', AgentVersion: '3.3.1142.0', IsLatestVersion: true }] });
    }
    return ready(service, operation, input);
  };
  const cli = io({ 'settings.json': JSON.stringify({ changeCalendarNames: ['PatchFreeze'] }) });
  expect(await main(['--region', 'eu-west-1', '--config', 'settings.json'], cli)).toBe(1);
  const text = cli.out();
  expect(text).toMatch(/^FAIL trail: .*\n.*reads-only: logging, management writes NOT included/m);
  expect(text).toMatch(/fix: Without it only the native compliance-change events arrive/);
  expect(text).toMatch(/^WARN rules: /m);
  expect(text).toMatch(/^WARN nodes-online: .*\n.*ConnectionLost: 1/m);
  expect(text).toMatch(/^WARN agent-versions: /m);
  expect(text).toMatch(/^WARN ssm-read-fallbacks: .*\n.*\n.*summaries.no-instance-filter/m);
  expect(text).toMatch(/^WARN command-log-group: .*\n.*missing\n.*SSMServiceRole: not checked \(AccessDenied/m);
  expect(text).toMatch(/^FAIL change-calendars: .*\n.*PatchFreeze: missing \(InvalidDocument/m);
});

test('bad arguments exit 2; credentials refused by AWS exit 3', async () => {
  script = ready;
  expect(await main(['--regoin', 'eu-west-1'], io())).toBe(2);
  expect(await main(['--stack-name', '1bad'], io())).toBe(2);
  script = (service) => (service === 'sts' ? xmlError('InvalidClientTokenId') : jsonError('UnrecognizedClientException', 'The security token included in the request is invalid.'));
  const cli = io();
  expect(await main(['--region', 'eu-west-1'], cli)).toBe(3);
  expect(cli.err()).toMatch(/AWS error: .*(InvalidClientTokenId|UnrecognizedClientException)/);
});
