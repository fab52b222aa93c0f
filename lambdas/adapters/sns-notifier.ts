/**
 * AlertNotifier over SNS Publish. Composition and size fitting are pure (domain/alerts); this
 * adapter only maps the fitted message onto Publish: MessageStructure=json so email gets text and
 * machine subscribers get JSON, and String message attributes for subscription filter policies.
 */
import { PublishCommand, type MessageAttributeValue, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import { composeCommandFailedAlert } from '../domain/alerts/command-failed';
import { composeDiagnosisAlert } from '../domain/alerts/diagnosis';
import { composePausedReminder, type PausedAlertInput } from '../domain/alerts/paused';
import { composeResolvedAlert } from '../domain/alerts/resolved';
import type { ComposeBudget } from '../domain/alerts/sections';
import { fitSnsMessage, type SnsAlertMessage } from '../domain/alerts/sns-message';
import type {
  AlertEnvironment,
  CommandFailedAlertInput,
  ComposedAlert,
  DiagnosisAlertInput,
  ResolvedAlertInput,
} from '../domain/alerts/types';
import type { AlertNotifier, AlertReceipt, PauseNotifier } from '../ports/alerts';
import type { OperationalSink } from '../ports/runtime';

export class SnsAlertNotifier implements AlertNotifier, PauseNotifier {
  constructor(
    /** A client, or anything that sends like one (the wiring constructs the client on first use). */
    private readonly client: Pick<SNSClient, 'send'>,
    private readonly topicArn: string,
    private readonly environment: AlertEnvironment,
    private readonly sink: OperationalSink,
  ) {}

  notifyDiagnosis(input: DiagnosisAlertInput): Promise<AlertReceipt> {
    return this.send((budget) => composeDiagnosisAlert(input, this.environment, budget));
  }

  notifyExhausted(input: DiagnosisAlertInput): Promise<AlertReceipt> {
    if (input.outcome.kind !== 'EXHAUSTED') throw new Error(`notifyExhausted needs an EXHAUSTED outcome, got ${input.outcome.kind}`);
    return this.send((budget) => composeDiagnosisAlert(input, this.environment, budget));
  }

  notifyDeferred(input: DiagnosisAlertInput): Promise<AlertReceipt> {
    if (input.outcome.kind !== 'DEFERRED') throw new Error(`notifyDeferred needs a DEFERRED outcome, got ${input.outcome.kind}`);
    return this.send((budget) => composeDiagnosisAlert(input, this.environment, budget));
  }

  notifyResolved(input: ResolvedAlertInput): Promise<AlertReceipt> {
    return this.send(() => composeResolvedAlert(input, this.environment));
  }

  notifyCommandFailed(input: CommandFailedAlertInput): Promise<AlertReceipt> {
    return this.send((budget) => composeCommandFailedAlert(input, this.environment, budget));
  }

  notifyPaused(input: PausedAlertInput): Promise<AlertReceipt> {
    return this.send(() => composePausedReminder(input, this.environment));
  }

  private async send(compose: (budget: ComposeBudget) => ComposedAlert): Promise<AlertReceipt> {
    const fitted = fitSnsMessage(compose);
    const response = await this.client.send(new PublishCommand(toPublishInput(this.topicArn, fitted)));
    this.sink.count('AlertsSent');
    this.sink.info('alert sent', {
      kind: fitted.attributes.kind,
      instanceId: fitted.attributes.instance,
      cause: fitted.attributes.cause,
      subject: fitted.subject,
      messageId: response.MessageId,
      bytes: fitted.bytes,
    });
    return { messageId: response.MessageId ?? '', subject: fitted.subject };
  }
}

export function toPublishInput(topicArn: string, message: SnsAlertMessage): PublishCommandInput {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.attributes)) {
    // SNS rejects attributes with empty values; every attribute here has a value by construction.
    attributes[name] = { DataType: 'String', StringValue: value };
  }
  return {
    TopicArn: topicArn,
    Subject: message.subject,
    Message: message.message,
    MessageStructure: 'json',
    MessageAttributes: attributes,
  };
}
