/**
 * The report use case over the common dependencies (report Lambda). Only this module and its handler
 * import the report code, so the triage, follow-up and sweep bundles stay without it.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { S3ReportStore } from '../adapters/s3-report-store';
import { SnsReportNotifier } from '../adapters/sns-report-notifier';
import { SsmManagedNodeLister } from '../adapters/ssm/managed-nodes';
import { SsmStateReader } from '../adapters/ssm/reader';
import { isSummaryClean } from '../adapters/ssm/summary';
import { ReportUseCase } from '../usecases/report';
import type { Common, WiringOverrides } from './common';

export function buildReport(common: Common, env: Record<string, string | undefined>, overrides: WiringOverrides = {}): ReportUseCase {
  const { ssm, settings, clock, sink, region } = common;
  const bucket = env['REPORT_BUCKET_NAME'];
  const topicArn = env['ALERT_TOPIC_ARN'];
  if (!bucket) throw new Error('Environment variable REPORT_BUCKET_NAME is required (set by the stack)');
  if (!topicArn) throw new Error('Environment variable ALERT_TOPIC_ARN is required (set by the stack)');
  const account = common.environment.account;
  if (!account || !region) throw new Error('Account (from ALERT_TOPIC_ARN) and AWS_REGION are required for the report keys');
  const clientConfig = {
    region,
    ...(overrides.clientConfig?.endpoint ? { endpoint: overrides.clientConfig.endpoint, forcePathStyle: true } : {}),
    ...(overrides.clientConfig?.credentials ? { credentials: overrides.clientConfig.credentials } : {}),
  };
  return new ReportUseCase({
    nodes: new SsmManagedNodeLister(ssm),
    // Once a day: the reader builds its own scope tag index (no write access to the shared one).
    reader: new SsmStateReader({ client: ssm, settings, clock, sink, region }),
    ledger: common.ledger,
    store: new S3ReportStore(new S3Client(clientConfig), bucket, sink),
    notifier: new SnsReportNotifier(new SNSClient(clientConfig), topicArn, sink),
    // Detail calls only for nodes whose batched summary is not clean (the compliant majority costs none).
    needsDetail: (summary, now) => !isSummaryClean(summary, settings.staleScanHours, now),
    settings,
    clock,
    sink,
    account,
    region,
    bucket,
  });
}
