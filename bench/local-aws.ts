/**
 * A local AWS for bundled handlers running in child `node` processes (`bench/bundles.ts`, the
 * bundled-handler wire test): the simulator's fake AWS (`sim/aws-fake/`, SSM / SNS / EventBridge
 * over HTTP, DynamoDB proxied to dynalite) over a small seeded fleet, the ledger table created, and
 * the Lambda environment a child needs to reach it the way the deployed function reaches AWS:
 * credentials in `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, the endpoint
 * in `AWS_ENDPOINT_URL` (the SDK's documented endpoint variable; nothing in our code reads it).
 */
import type { AddressInfo, Server } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_SETTINGS } from '../lambdas/domain/settings';
import { startFakeAws, type FakeAwsServer } from '../sim/aws-fake/server';
import { FakeAws } from '../sim/aws-fake/state';
import { EventFactory } from '../sim/events';
import { buildFleet, seededRandom, type SimNode } from '../sim/fleet';
import { createLedgerTable } from '../sim/ledger-table';

const REGION = 'eu-west-1';
const ACCOUNT = '111122223333';
const TABLE = 'autopilot-bench-ledger';
const START_MS = Date.parse('2026-11-21T02:00:00Z');

export const LAMBDA_CREDENTIALS = {
  accessKeyId: 'ASIABENCHEXAMPLE0001',
  secretAccessKey: 'bench-secret-access-key-not-real',
  sessionToken: 'bench-session-token',
};

export interface LocalAws {
  endpoint: string;
  fake: FakeAws;
  /** The Lambda environment of a function of the stack, pointed at the local endpoint. */
  lambdaEnv(serviceName: string): NodeJS.ProcessEnv;
  /** A real first event for each handler (see `firstEvent`). */
  firstEvent(handler: string): unknown;
  close(): Promise<void>;
}

export async function startLocalAws(options: { nodes?: number } = {}): Promise<LocalAws> {
  const settings = { ...DEFAULT_SETTINGS };
  const fleet = buildFleet({ nodes: options.nodes ?? 20, seed: 7, startMs: START_MS, tagKey: settings.tagKey });
  const fake = new FakeAws({
    nodes: fleet,
    now: () => START_MS,
    tagKey: settings.tagKey,
    defaultNodeMode: settings.defaultNodeMode,
    random: seededRandom(7),
    snsFailureRate: 0,
    alertRepeatHours: settings.alertRepeatHours,
    installMinutes: () => 20,
  });
  // dynalite ships no types; this is the one call we use (as in sim/run.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = (require('dynalite') as (options: { createTableMs: number }) => Server)({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynalite.listen(0, '127.0.0.1', () => resolve()));
  const server: FakeAwsServer = await startFakeAws(fake, {
    // No throttling here: the bench times code, not the rate limiter.
    rateLimit: { ratePerSecond: 1e6, burst: 1e6 },
    dynamoEndpoint: `http://127.0.0.1:${(dynalite.address() as AddressInfo).port}`,
  });
  const dynamo = new DynamoDBClient({ endpoint: server.endpoint, region: REGION, credentials: LAMBDA_CREDENTIALS });
  await createLedgerTable(dynamo, TABLE);
  dynamo.destroy();

  const events = new EventFactory(seededRandom(11));
  // A compliant node: its patch-scan result is read from SSM on every call (a patch result may change
  // compliance, so no quiet skip) and nothing is sent, so each round repeats the same work.
  const compliant = fleet.find((node) => node.seededCause === null && !node.instanceId.startsWith('mi-')) as SimNode;
  return {
    endpoint: server.endpoint,
    fake,
    lambdaEnv: (serviceName) => ({
      PATH: process.env['PATH'],
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: LAMBDA_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LAMBDA_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: LAMBDA_CREDENTIALS.sessionToken,
      AWS_ENDPOINT_URL: server.endpoint,
      // Keep a developer's ~/.aws out of the child (the bundles must not need it).
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
      AUTOPILOT_SETTINGS: JSON.stringify(settings),
      ALERT_TOPIC_ARN: `arn:aws:sns:${REGION}:${ACCOUNT}:autopilot-alerts`,
      LEDGER_TABLE_NAME: TABLE,
      COMMAND_LOG_GROUP: '/ssm-compliance-autopilot/SsmComplianceAutopilot/commands',
      EVENT_BUS_NAME: 'default',
      OWN_ROLE_NAMES: 'autopilot-triage-role',
      POWERTOOLS_METRICS_NAMESPACE: 'SsmComplianceAutopilot',
      POWERTOOLS_SERVICE_NAME: serviceName,
      // Powertools logs to stdout; the probe prints its figures on stdout too.
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    }),
    firstEvent: (handler) => {
      const at = START_MS + 60_000;
      if (handler === 'triage') {
        const body = events.patchInventory(compliant, at).body;
        return { Records: [{ messageId: 'bench-1', body, eventSource: 'aws:sqs', attributes: {}, messageAttributes: {} }] };
      }
      if (handler === 'follow-up') return events.commandStatus(compliant, at, '3f1ab2c4-0000-4000-8000-000000000001', at - 600_000, 'Success');
      return { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
    },
    close: async () => {
      await server.close();
      await new Promise<void>((resolve) => dynalite.close(() => resolve()));
    },
  };
}
