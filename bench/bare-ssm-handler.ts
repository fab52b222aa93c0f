/**
 * The yardstick for `bench/bundles.ts`: the smallest useful Lambda handler that bundles only
 * `@aws-sdk/client-ssm` (client created once per module, like ours).
 */
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';

const client = new SSMClient({});

export const handler = async (): Promise<number> => {
  const page = await client.send(new DescribeInstanceInformationCommand({ MaxResults: 5 }));
  return page.InstanceInformationList?.length ?? 0;
};
