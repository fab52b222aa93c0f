/**
 * Account and region for alerts and lifecycle events, from the Lambda environment: AWS_REGION is set
 * by the Lambda runtime; the account is not, but the alert topic's ARN
 * (`arn:<partition>:sns:<region>:<account>:<name>`) names it.
 */
import type { AlertEnvironment } from './types';

export function alertEnvironmentFrom(env: Record<string, string | undefined>): AlertEnvironment {
  const [, , , topicRegion, account] = (env['ALERT_TOPIC_ARN'] ?? '').split(':');
  const region = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? (topicRegion || undefined);
  return {
    ...(account && /^\d{12}$/.test(account) ? { account } : {}),
    ...(region ? { region } : {}),
  };
}

