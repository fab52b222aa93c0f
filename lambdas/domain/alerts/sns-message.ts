/**
 * The SNS Publish payload of an alert, fitted to the size limit. With MessageStructure=json the
 * Message is a JSON object whose values are strings per protocol: `default` and `email` get the text,
 * `sqs`, `lambda`, `http` and `https` the JSON document (SNS Publish API reference, "MessageStructure";
 * unlisted protocols fall back to `default`). The whole Message plus attributes must stay within
 * 262,144 bytes, and the document is repeated four times, so evidence and output excerpts are
 * shrunk until it fits.
 */
import type { AlertAttributes, ComposedAlert } from './types';
import type { ComposeBudget } from './sections';

/** SNS's limit is 262,144 bytes for message and attributes together; keep a margin for attributes. */
export const SNS_MESSAGE_MAX_BYTES = 256 * 1024 - 8 * 1024;

export const MACHINE_PROTOCOLS = ['sqs', 'lambda', 'http', 'https'] as const;

export interface SnsAlertMessage {
  subject: string;
  /** JSON of `{ default, email, sqs, lambda, http, https }`, every value a string. */
  message: string;
  attributes: AlertAttributes;
  bytes: number;
}

export function toSnsMessage(alert: ComposedAlert): SnsAlertMessage {
  const documentJson = JSON.stringify(alert.document);
  const structure: Record<string, string> = { default: alert.text, email: alert.text };
  for (const protocol of MACHINE_PROTOCOLS) structure[protocol] = documentJson;
  const message = JSON.stringify(structure);
  return { subject: alert.subject, message, attributes: alert.attributes, bytes: Buffer.byteLength(message, 'utf8') };
}

const BUDGET_STEPS: readonly ComposeBudget[] = [
  { evidenceChars: 20_000, outputChars: 4_000 },
  { evidenceChars: 6_000, outputChars: 2_000 },
  { evidenceChars: 2_000, outputChars: 1_000 },
  { evidenceChars: 600, outputChars: 400 },
  { evidenceChars: 200, outputChars: 200 },
];

/**
 * Composes with ever smaller budgets until the SNS message fits. If even the smallest budget does
 * not fit (thousands of causes, which the registry cannot produce), the caller gets the smallest
 * attempt and SNS's own error.
 */
export function fitSnsMessage(compose: (budget: ComposeBudget) => ComposedAlert, maxBytes = SNS_MESSAGE_MAX_BYTES): SnsAlertMessage {
  let last: SnsAlertMessage | undefined;
  for (const budget of BUDGET_STEPS) {
    last = toSnsMessage(compose(budget));
    if (last.bytes <= maxBytes) return last;
  }
  return last as SnsAlertMessage;
}
