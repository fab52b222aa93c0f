/**
 * The report use case over the common dependencies (report Lambda). Only this module and its handler
 * import the report code, so the triage, follow-up and sweep bundles stay without it.
 */
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { S3ReportStore } from '../adapters/s3-report-store';
import { SnsReportNotifier } from '../adapters/sns-report-notifier';
import { SsmManagedNodeLister } from '../adapters/ssm/managed-nodes';
import { TaggingApiTagSource } from '../adapters/ssm/node-tags';
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
  const clientConfig = { ...common.clientConfig, ...(overrides.clientConfig?.endpoint ? { forcePathStyle: true } : {}) };
  // Every node's tags (scope tag and the EC2 Name tag for "Instance name"): GetResources, ≤100 node ARNs a call.
  const tags = new TaggingApiTagSource({
    tagging: new ResourceGroupsTaggingAPIClient(common.clientConfig),
    ssm,
    region: async () => region,
    account: async () => account,
    clock,
    ttlMs: settings.scopeTagCacheMinutes * 60_000,
  });
  return new ReportUseCase({
    nodes: new SsmManagedNodeLister(ssm),
    reader: new SsmStateReader({ client: ssm, settings, clock, sink, tags, region }),
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
