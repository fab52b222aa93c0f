/**
 * Reference for `bench/bundles.ts`: the four SDK clients the triage needs (SSM, DynamoDB with the
 * document client, SNS, EventBridge), constructed once per module the way the wiring does, and nothing
 * of ours. Its ratio to the bare handler is the part of a handler's cold import that the AWS APIs it
 * must call cost; the rest is the project's own code, Powertools and zod.
 */
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const ssm = new SSMClient({});
const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));
let sns: SNSClient | undefined;
let eventBridge: EventBridgeClient | undefined;

export const handler = async (): Promise<number> => {
  const page = await ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 5 }));
  await dynamo.send(new GetCommand({ TableName: 'ledger', Key: { pk: 'x', sk: 'y' } }));
  sns ??= new SNSClient({});
  eventBridge ??= new EventBridgeClient({});
  await sns.send(new PublishCommand({ TopicArn: 'arn', Message: 'm' }));
  await eventBridge.send(new PutEventsCommand({ Entries: [] }));
  return page.InstanceInformationList?.length ?? 0;
};
