/**
 * Cause -> ASFF finding (open), and the archived form that closes it. Pure: the same inputs give the
 * same finding. Attribute by attribute against the Security Hub API reference (`AwsSecurityFinding`)
 * and the user guide's ASFF pages; where a line relies on one of them it says so.
 */
import { nodeLink } from '../console-links';
import type { Cause, CauseCode, Diagnosis, Severity } from '../types';
import {
  ASFF_LIMITS,
  ASFF_PRODUCT_NAME,
  ASFF_SCHEMA_VERSION,
  FINDING_TYPE_CVE,
  FINDING_TYPE_PATCH,
  clip,
  defaultProductArn,
  findingId,
  generatorId,
  nodeResource,
  type AsffComplianceStatus,
  type AsffFinding,
  type FindingScope,
} from './asff';
import type { CauseAutomation } from './automation';
import { cveIdsIn, summarizeEvidence } from './evidence-summary';
import { CAUSE_GUIDANCE } from './guidance';

/** ProductFields keys: namespaced like AWS's own `aws/securityhub/...` keys so they never collide. */
export const PRODUCT_FIELD = {
  causeCode: 'ssm-compliance-autopilot/CauseCode',
  action: 'ssm-compliance-autopilot/Action',
  automationState: 'ssm-compliance-autopilot/AutomationState',
  dryRun: 'ssm-compliance-autopilot/DryRun',
  commandId: 'ssm-compliance-autopilot/CommandId',
  attempts: 'ssm-compliance-autopilot/Attempts',
  evidenceFingerprint: 'ssm-compliance-autopilot/EvidenceFingerprint',
  instanceId: 'ssm-compliance-autopilot/InstanceId',
  nodeName: 'ssm-compliance-autopilot/NodeName',
  platform: 'ssm-compliance-autopilot/Platform',
  capturedAt: 'ssm-compliance-autopilot/CapturedAt',
} as const;

/** At most 20 CVE IDs go into `Vulnerabilities` (the full list stays in the evidence). */
const MAX_VULNERABILITIES = 20;

export interface FindingTimes {
  /** First import of this finding Id (kept in the ledger, stable across updates). */
  createdAt: string;
  /** This import: strictly later than the previous UpdatedAt of the Id. */
  updatedAt: string;
  /** Start of the current open episode (a finding re-opened after an archive starts a new one). */
  firstObservedAt: string;
}

export interface OpenFindingInput {
  scope: FindingScope;
  diagnosis: Pick<Diagnosis, 'instanceId' | 'nodeName' | 'platform' | 'capturedAt'>;
  cause: Pick<Cause, 'code' | 'severity' | 'summary' | 'evidence' | 'nextSteps'>;
  automation: CauseAutomation;
  evidenceFingerprint: string;
  times: FindingTimes;
  /** The first import of this Id: top-level Types and Severity are sent only then (see AsffFinding). */
  firstImport: boolean;
}

export function openFinding(input: OpenFindingInput): AsffFinding {
  const { scope, diagnosis, cause, automation, times } = input;
  const node = nodeLabel(diagnosis.instanceId, diagnosis.nodeName);
  const guidance = CAUSE_GUIDANCE[cause.code];
  const cves = cveIdsIn(cause.evidence);
  const types = cves.length > 0 ? [FINDING_TYPE_PATCH, FINDING_TYPE_CVE] : [FINDING_TYPE_PATCH];
  const severity = { Label: cause.severity, Original: cause.severity };
  return {
    ...identity(scope, diagnosis.instanceId, cause.code),
    ...(input.firstImport ? { Types: types, Severity: { Label: cause.severity } } : {}),
    FindingProviderFields: { Severity: severity, Types: types },
    CreatedAt: times.createdAt,
    UpdatedAt: times.updatedAt,
    FirstObservedAt: times.firstObservedAt,
    LastObservedAt: diagnosis.capturedAt,
    Title: clip(`${guidance.name} on ${node}: ${cause.summary}`, ASFF_LIMITS.title),
    Description: describe(cause, automation, node),
    Remediation: {
      Recommendation: {
        Text: clip(cause.nextSteps.length > 0 ? cause.nextSteps.join('. ') : `See ${guidance.url}`, ASFF_LIMITS.recommendationText),
        Url: guidance.url,
      },
    },
    SourceUrl: nodeLink(scope.region, diagnosis.instanceId).url,
    ProductFields: productFields({
      [PRODUCT_FIELD.causeCode]: cause.code,
      [PRODUCT_FIELD.action]: automation.action,
      [PRODUCT_FIELD.automationState]: automation.state,
      [PRODUCT_FIELD.dryRun]: String(automation.dryRun),
      [PRODUCT_FIELD.commandId]: automation.commandId,
      [PRODUCT_FIELD.attempts]: String(automation.attempts),
      [PRODUCT_FIELD.evidenceFingerprint]: input.evidenceFingerprint,
      [PRODUCT_FIELD.instanceId]: diagnosis.instanceId,
      [PRODUCT_FIELD.nodeName]: diagnosis.nodeName,
      [PRODUCT_FIELD.platform]: diagnosis.platform,
      [PRODUCT_FIELD.capturedAt]: diagnosis.capturedAt,
    }),
    Resources: [nodeResource(scope, diagnosis.instanceId)],
    Compliance: { Status: 'FAILED' },
    // Explicit, so re-importing an archived Id re-opens it (Security Hub then resets Workflow to NEW).
    RecordState: 'ACTIVE',
    ...(cves.length > 0 ? { Vulnerabilities: cves.slice(0, MAX_VULNERABILITIES).map((Id) => ({ Id })) } : {}),
  };
}

/** Why a finding is closed. */
export type ArchiveReason = 'CAUSE_CLEARED' | 'NODE_COMPLIANT' | 'NODE_DEREGISTERED' | 'NODE_OPTED_OUT';

export interface ArchivedFindingInput {
  scope: FindingScope;
  instanceId: string;
  nodeName?: string;
  cause: CauseCode;
  /** The severity the open finding had (kept as FindingProviderFields.Severity.Original). */
  lastSeverity: Severity;
  createdAt: string;
  updatedAt: string;
  /** When the state that closes it was read. */
  observedAt: string;
  reason: ArchiveReason;
}

const ARCHIVE_TEXT: Record<ArchiveReason, { title: string; text: string }> = {
  CAUSE_CLEARED: { title: 'Resolved', text: 'The autopilot no longer finds this cause on the node: closed.' },
  NODE_COMPLIANT: { title: 'Resolved', text: 'The node is compliant again: closed.' },
  NODE_DEREGISTERED: { title: 'Node gone', text: 'Systems Manager no longer knows the node (deregistered or terminated): closed.' },
  NODE_OPTED_OUT: {
    title: 'No longer evaluated',
    text: 'The node is out of the autopilot\'s scope now (scope tag "off"): the autopilot stops tracking this cause, whose state is unknown.',
  },
};

/**
 * The same Id re-imported with `RecordState ARCHIVED`: a provider closes its own finding this way
 * (it cannot set Workflow after creation). Compliance PASSED for a cause that is gone or a node that
 * is gone; NOT_AVAILABLE when the node left the autopilot's scope (its state is unknown, not passed).
 * Severity INFORMATIONAL: "No issue was found" (the model's SeverityLabel); the last one stays in Original.
 */
export function archivedFinding(input: ArchivedFindingInput): AsffFinding {
  const { scope, reason } = input;
  const node = nodeLabel(input.instanceId, input.nodeName);
  const text = ARCHIVE_TEXT[reason];
  const status: AsffComplianceStatus = reason === 'NODE_OPTED_OUT' ? 'NOT_AVAILABLE' : 'PASSED';
  return {
    ...identity(scope, input.instanceId, input.cause),
    FindingProviderFields: { Severity: { Label: 'INFORMATIONAL', Original: input.lastSeverity }, Types: [FINDING_TYPE_PATCH] },
    CreatedAt: input.createdAt,
    UpdatedAt: input.updatedAt,
    LastObservedAt: input.observedAt,
    Title: clip(`${text.title}: ${CAUSE_GUIDANCE[input.cause].name} on ${node}`, ASFF_LIMITS.title),
    Description: clip(`${input.cause} on ${node}: ${text.text} Read at ${input.observedAt}.`, ASFF_LIMITS.description),
    SourceUrl: nodeLink(scope.region, input.instanceId).url,
    ProductFields: productFields({
      [PRODUCT_FIELD.causeCode]: input.cause,
      [PRODUCT_FIELD.automationState]: reason,
      [PRODUCT_FIELD.instanceId]: input.instanceId,
      [PRODUCT_FIELD.nodeName]: input.nodeName,
      [PRODUCT_FIELD.capturedAt]: input.observedAt,
    }),
    Resources: [nodeResource(scope, input.instanceId)],
    Compliance: { Status: status },
    RecordState: 'ARCHIVED',
  };
}

function identity(scope: FindingScope, instanceId: string, cause: CauseCode) {
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: findingId(scope, instanceId, cause),
    ProductArn: defaultProductArn(scope),
    // A custom integration may name its product (AwsSecurityFinding.ProductName).
    ProductName: ASFF_PRODUCT_NAME,
    GeneratorId: generatorId(cause),
    // BatchImportFindings must come from this account when the default product ARN is used.
    AwsAccountId: scope.account,
  } as const;
}

function nodeLabel(instanceId: string, nodeName?: string): string {
  return nodeName ? `${nodeName} (${instanceId})` : instanceId;
}

/**
 * Cause, evidence in short, what the autopilot did or will do, the next step: within 1,024
 * characters. The evidence line gets what the other parts leave.
 */
function describe(cause: OpenFindingInput['cause'], automation: CauseAutomation, node: string): string {
  const head = clip(`${cause.code} (severity ${cause.severity}) on ${node}: ${cause.summary}.`, 320);
  const done = clip(automation.statement, 260);
  const next = cause.nextSteps[0] ? clip(`Next step: ${cause.nextSteps[0]}.`, 220) : '';
  const fixed = [head, done, next].join(' ').length + ' Evidence: .'.length + 1;
  const evidence = summarizeEvidence(cause.evidence, Math.max(0, ASFF_LIMITS.description - fixed));
  const parts = [head, evidence ? `Evidence: ${evidence}.` : '', done, next].filter((part) => part.length > 0);
  return clip(parts.join(' '), ASFF_LIMITS.description);
}

/** String values only, no empty ones (NonEmptyString), each within the model's limits. */
function productFields(fields: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value.length === 0) continue;
    out[key.slice(0, ASFF_LIMITS.productFieldKey)] = value.slice(0, ASFF_LIMITS.productFieldValue);
  }
  return out;
}
