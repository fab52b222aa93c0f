/**
 * Validates a snapshot read from a file (CLI `--snapshot`, examples, simulator) and normalises it to
 * `NodeSnapshot`. Liberal in what it accepts, because snapshots are captured by hand from real
 * accounts: unknown fields are kept, missing arrays mean "none", `patchState` may be null, timestamps
 * may be ISO strings or epoch numbers (seconds, as the AWS CLI's JSON output may print them), and a
 * raw API response wrapper (`{ "InstancePatchStates": [...] }`, `{ "Patches": [...] }`, ...) is unwrapped.
 * Strict where a wrong value would silently change a diagnosis: counts must be numbers, times must parse.
 */
// Namespace import: `import { z }` keeps zod's whole namespace object (all locales, ~450 KB minified) in the Lambda bundle; this form lets esbuild tree-shake it (~85 KB).
import * as z from 'zod';
import { formatZodIssues } from './settings';
import type { NodeSnapshot } from './types';

/** Epoch values below this are seconds (year 2286 in seconds), above are milliseconds. */
const EPOCH_SECONDS_LIMIT = 10_000_000_000;

const timestamp = z.union([z.string(), z.number()]).transform((value, context) => {
  const millis =
    typeof value === 'number' ? (value < EPOCH_SECONDS_LIMIT ? value * 1000 : value) : Date.parse(value);
  if (Number.isNaN(millis)) {
    context.addIssue({ code: 'custom', message: `not a timestamp: ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return new Date(millis).toISOString();
});
const optionalTime = timestamp.optional();
const optionalCount = z.number().int().min(0).optional();
const optionalText = z.string().optional();

const executionSummary = z.looseObject({
  ExecutionTime: optionalTime,
  ExecutionId: optionalText,
  ExecutionType: optionalText,
});

const instanceInformation = z.looseObject({
  InstanceId: z.string().min(1),
  PingStatus: optionalText,
  LastPingDateTime: optionalTime,
  PlatformType: optionalText,
  PlatformName: optionalText,
  ComputerName: optionalText,
  RegistrationDate: optionalTime,
  LastAssociationExecutionDate: optionalTime,
  LastSuccessfulAssociationExecutionDate: optionalTime,
});

const patchState = z.looseObject({
  InstanceId: z.string().min(1),
  InstalledCount: optionalCount,
  InstalledOtherCount: optionalCount,
  InstalledPendingRebootCount: optionalCount,
  InstalledRejectedCount: optionalCount,
  MissingCount: optionalCount,
  FailedCount: optionalCount,
  UnreportedNotApplicableCount: optionalCount,
  NotApplicableCount: optionalCount,
  AvailableSecurityUpdateCount: optionalCount,
  CriticalNonCompliantCount: optionalCount,
  SecurityNonCompliantCount: optionalCount,
  OtherNonCompliantCount: optionalCount,
  OperationStartTime: optionalTime,
  OperationEndTime: optionalTime,
  LastNoRebootInstallOperationTime: optionalTime,
  Operation: optionalText,
  RebootOption: optionalText,
});

const patch = z.looseObject({
  Title: optionalText,
  KBId: optionalText,
  Classification: optionalText,
  Severity: optionalText,
  State: optionalText,
  InstalledTime: optionalTime,
  CVEIds: optionalText,
});

const complianceItem = z.looseObject({
  ComplianceType: optionalText,
  Id: optionalText,
  Title: optionalText,
  Status: optionalText,
  Severity: optionalText,
  ExecutionSummary: executionSummary.optional(),
  Details: z.record(z.string(), z.string()).optional(),
});

const complianceSummary = z.looseObject({
  ComplianceType: optionalText,
  Status: optionalText,
  OverallSeverity: optionalText,
  ExecutionSummary: executionSummary.optional(),
});

const associationStatus = z.looseObject({
  AssociationId: optionalText,
  Name: optionalText,
  AssociationName: optionalText,
  Status: optionalText,
  DetailedStatus: optionalText,
  ErrorCode: optionalText,
  ExecutionDate: optionalTime,
  ExecutionSummary: optionalText,
});

const commandInvocation = z.looseObject({
  CommandId: optionalText,
  DocumentName: optionalText,
  RequestedDateTime: optionalTime,
  Status: optionalText,
  StatusDetails: optionalText,
  Comment: optionalText,
});

/** `{ "Patches": [...] }` -> `[...]`; `[x]` -> x for single-entry fields. */
function unwrap(wrapperKey: string, single: boolean) {
  return (value: unknown): unknown => {
    let inner = value;
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner) && wrapperKey in inner) {
      inner = (inner as Record<string, unknown>)[wrapperKey];
    }
    if (single && Array.isArray(inner)) return inner.length === 0 ? null : inner[0];
    return inner;
  };
}

/** Tags as `{key: value}` or the API's `[{Key, Value}]` list. */
const tags = z.preprocess(
  (value) =>
    Array.isArray(value)
      ? Object.fromEntries(
          value.flatMap((tag: unknown) =>
            tag !== null && typeof tag === 'object' && 'Key' in tag
              ? [[String((tag as { Key: unknown }).Key), String((tag as { Value?: unknown }).Value ?? '')]]
              : [],
          ),
        )
      : value,
  z.record(z.string(), z.string()),
);

const snapshotSchema = z.looseObject({
  instanceId: z.string().min(1).optional(),
  capturedAt: optionalTime,
  region: optionalText,
  instanceInformation: z.preprocess(unwrap('InstanceInformationList', true), instanceInformation.nullable().optional()),
  patchState: z.preprocess(unwrap('InstancePatchStates', true), patchState.nullable().optional()),
  patches: z.preprocess(unwrap('Patches', false), z.array(patch).nullable().optional()),
  complianceItems: z.preprocess(unwrap('ComplianceItems', false), z.array(complianceItem).nullable().optional()),
  complianceSummaries: z.preprocess(
    unwrap('ResourceComplianceSummaryItems', false),
    z.array(complianceSummary).nullable().optional(),
  ),
  associationStatuses: z.preprocess(
    unwrap('InstanceAssociationStatusInfos', false),
    z.array(associationStatus).nullable().optional(),
  ),
  commandInvocations: z.preprocess(unwrap('CommandInvocations', false), z.array(commandInvocation).nullable().optional()),
  tags: tags.optional(),
});

/**
 * Parses a snapshot, throwing an error that names each wrong field (`patchState.MissingCount: ...`).
 * A missing `capturedAt` becomes the latest time the snapshot itself mentions (last ping, last patch
 * operation, association runs, commands), so replaying an old hand-made snapshot does not turn it
 * stale; `now` only when the snapshot holds no time at all.
 */
export function parseSnapshot(input: unknown, origin: string, now: Date = new Date()): NodeSnapshot {
  const result = snapshotSchema.safeParse(input);
  if (!result.success) throw new Error(`Invalid snapshot in ${origin}:\n${formatZodIssues(result.error)}`);
  const data = result.data;
  const instanceId = data.instanceId ?? data.instanceInformation?.InstanceId ?? data.patchState?.InstanceId;
  if (!instanceId) {
    throw new Error(`Invalid snapshot in ${origin}:\n  - instanceId: missing (and no instanceInformation/patchState to take it from)`);
  }
  const snapshot: NodeSnapshot = {
    ...data,
    instanceId,
    capturedAt: data.capturedAt ?? latestMentionedTime(data) ?? now.toISOString(),
    instanceInformation: data.instanceInformation ?? null,
    patchState: data.patchState ?? null,
  } as NodeSnapshot;
  // `null` arrays mean "none" like missing ones; keep "not read" (undefined) distinct from "read, none" ([]).
  for (const key of ['patches', 'complianceItems', 'complianceSummaries', 'associationStatuses', 'commandInvocations'] as const) {
    if (snapshot[key] === null) delete snapshot[key];
  }
  return snapshot;
}

function latestMentionedTime(data: z.infer<typeof snapshotSchema>): string | undefined {
  const times = [
    data.instanceInformation?.LastPingDateTime,
    data.patchState?.OperationEndTime,
    ...(data.associationStatuses ?? []).map((association) => association.ExecutionDate),
    ...(data.commandInvocations ?? []).map((invocation) => invocation.RequestedDateTime),
    ...(data.complianceItems ?? []).map((item) => item.ExecutionSummary?.ExecutionTime),
  ].filter((time): time is string => typeof time === 'string');
  if (times.length === 0) return undefined;
  return times.reduce((latest, time) => (time > latest ? time : latest));
}
