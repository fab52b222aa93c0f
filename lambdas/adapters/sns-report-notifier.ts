/**
 * ReportNotifier over SNS Publish to the alert topic: the same MessageStructure=json shape as the
 * alerts (domain/alerts/sns-message.ts): text for e-mail/default, the JSON document for machine
 * protocols, and String message attributes (`kind=REPORT`, account, region) for filter policies.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { MACHINE_PROTOCOLS } from '../domain/alerts/sns-message';
import type { ReportNotice } from '../domain/report/notice';
import type { AlertReceipt } from '../ports/alerts';
import type { ReportNotifier } from '../ports/reports';
import type { OperationalSink } from '../ports/runtime';

export class SnsReportNotifier implements ReportNotifier {
  constructor(
    private readonly client: Pick<SNSClient, 'send'>,
    private readonly topicArn: string,
    private readonly sink: Pick<OperationalSink, 'info' | 'count'>,
  ) {}

  async notifyReport(notice: ReportNotice): Promise<AlertReceipt> {
    const document = JSON.stringify(notice.document);
    const structure: Record<string, string> = { default: notice.text, email: notice.text };
    for (const protocol of MACHINE_PROTOCOLS) structure[protocol] = document;
    const response = await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: notice.subject,
        Message: JSON.stringify(structure),
        MessageStructure: 'json',
        // SNS rejects empty attribute values: account and region are always set by the wiring.
        MessageAttributes: Object.fromEntries(
          Object.entries(notice.attributes).filter(([, value]) => value !== '').map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
        ),
      }),
    );
    this.sink.count('ReportNotificationsSent');
    this.sink.info('report notification sent', { subject: notice.subject, messageId: response.MessageId });
    return { messageId: response.MessageId ?? '', subject: notice.subject };
  }
}
