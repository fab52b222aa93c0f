/**
 * The event shapes the intake reads: the EventBridge envelope, the CloudTrail call and its
 * PutInventory / PutComplianceItems parameters, and the native compliance change. Only the fields
 * we read; everything else passes through untouched.
 */
// Namespace import: `import { z }` keeps zod's whole namespace object (all locales, ~450 KB minified) in the Lambda bundle; this form lets esbuild tree-shake it (~85 KB).
import * as z from 'zod/mini';
import { lazySchema } from '../lazy-schema';

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const COMPLIANCE_CHANGE_DETAIL_TYPE = 'Configuration Compliance State Change';

// Each schema is built on its first use (lazy-schema.ts), so an event builds only the schemas of its
// own shape; and the leaf schemas are shared (zod schemas are immutable values), which halves what a
// first event builds: construction, not parsing, is what a cold start pays for (docs/PERFORMANCE.md).
const leaves = lazySchema(() => ({
  text: z.string().check(z.minLength(1)),
  optionalString: z.optional(z.string()),
  anyRecord: z.record(z.string(), z.unknown()),
}));

// EventBridge envelope: https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html
export const envelopeSchema = lazySchema(() => {
  const { text, optionalString, anyRecord } = leaves();
  return z.object({
    version: optionalString,
    id: text,
    'detail-type': text,
    source: text,
    account: optionalString,
    time: optionalString,
    region: optionalString,
    detail: anyRecord,
  });
});

// CloudTrail record contents: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
export const cloudTrailDetailSchema = lazySchema(() => {
  const { text, optionalString, anyRecord } = leaves();
  const sessionIssuer = z.optional(z.object({ type: optionalString, userName: optionalString, arn: optionalString }));
  return z.object({
    eventSource: text,
    eventName: text,
    userIdentity: z.optional(
      z.object({
        type: optionalString,
        principalId: optionalString,
        arn: optionalString,
        sessionContext: z.optional(z.object({ sessionIssuer })),
      }),
    ),
    // CloudTrail may omit or truncate large request parameters: every field below is optional.
    requestParameters: z.nullish(anyRecord),
  });
});
export type CloudTrailDetail = z.infer<ReturnType<typeof cloudTrailDetailSchema>>;

export const putInventoryParametersSchema = lazySchema(() => {
  const { optionalString } = leaves();
  return z.object({
    instanceId: optionalString,
    items: z.optional(z.array(z.looseObject({ typeName: optionalString }))),
  });
});

export const putComplianceItemsParametersSchema = lazySchema(() => {
  const { optionalString } = leaves();
  return z.object({
    resourceId: optionalString,
    resourceType: optionalString,
    items: z.optional(z.array(z.unknown())),
    itemContentHash: optionalString,
  });
});

// Native event: AWS-FACTS "Native Configuration Compliance State Change" (statuses lower case).
export const complianceChangeDetailSchema = lazySchema(() => {
  const { text, optionalString } = leaves();
  return z.object({
    'resource-type': text,
    'resource-id': optionalString,
    'compliance-type': optionalString,
    'compliance-status': z.enum(['compliant', 'non_compliant']),
  });
});
