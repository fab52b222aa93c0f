/**
 * The part of the AWS Security Finding Format (ASFF) this project writes, as plain data, plus the
 * finding's identity (Id, ProductArn, GeneratorId, Resources). No SDK import: the Security Hub adapter
 * checks at compile time that an `AsffFinding` is an SDK `AwsSecurityFinding`.
 *
 * Limits are the service model's (botocore `securityhub/2018-10-26/service-2.json`, `AwsSecurityFinding`)
 * and the ASFF pages of the Security Hub user guide ("Required top-level ASFF attributes").
 */
import { nodeResourceArn, partitionOf } from '../lifecycle';
import type { CauseCode, Severity } from '../types';

/** The only ASFF schema version (AwsSecurityFinding.SchemaVersion). */
export const ASFF_SCHEMA_VERSION = '2018-10-08';
/** Product name shown in the console; a custom integration may set it (AwsSecurityFinding.ProductName). */
export const ASFF_PRODUCT_NAME = 'SSM Compliance Autopilot';
export const FINDING_ID_PREFIX = 'ssm-compliance-autopilot';

/** Model length constraints. */
export const ASFF_LIMITS = {
  id: 512,
  generatorId: 512,
  title: 256,
  description: 1024,
  recommendationText: 512,
  productFields: 50,
  productFieldKey: 128,
  productFieldValue: 2048,
  types: 50,
  resources: 32,
  /** BatchImportFindings: at most 100 findings a request (BatchImportFindingsRequestFindingList max). */
  findingsPerCall: 100,
} as const;

/**
 * Types are `namespace/category/classifier`; the namespace must be one of the five the model lists.
 * "Patch Management" is our own category in a defined namespace: the types taxonomy says defined
 * categories "may also be used, but are not required". "Vulnerabilities/CVE" is a defined one.
 */
export const FINDING_TYPE_PATCH = 'Software and Configuration Checks/Patch Management';
export const FINDING_TYPE_CVE = 'Software and Configuration Checks/Vulnerabilities/CVE';
export const ASFF_TYPE_NAMESPACES = [
  'Software and Configuration Checks',
  'TTPs',
  'Effects',
  'Unusual Behaviors',
  'Sensitive Data Identifications',
] as const;

/** SeverityLabel enum of the model: the same five values as our own Severity. */
export type AsffSeverityLabel = Severity;
export type AsffComplianceStatus = 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE';
export type AsffRecordState = 'ACTIVE' | 'ARCHIVED';
export type AsffPartition = 'aws' | 'aws-cn' | 'aws-us-gov';

export interface AsffResource {
  /** `AwsEc2Instance` for EC2 nodes; `Other` for hybrid `mi-` nodes (no ASFF resource type fits them). */
  Type: 'AwsEc2Instance' | 'Other';
  /** The canonical identifier: the resource ARN. */
  Id: string;
  Partition: AsffPartition;
  Region: string;
}

export interface AsffFinding {
  SchemaVersion: typeof ASFF_SCHEMA_VERSION;
  Id: string;
  ProductArn: string;
  ProductName: string;
  GeneratorId: string;
  AwsAccountId: string;
  /**
   * Top-level Types and Severity only on the first import of a finding: the BatchImportFindings API
   * reference says providers "should not use BatchImportFindings to update" them and should use
   * FindingProviderFields instead (customers may have changed the top-level ones with BatchUpdateFindings).
   */
  Types?: string[];
  Severity?: { Label: AsffSeverityLabel; Original?: string };
  FindingProviderFields: {
    Severity: { Label: AsffSeverityLabel; Original?: string };
    Types: string[];
  };
  /** RFC 3339 / ISO-8601 (Security Hub API reference, "Timestamps"). */
  CreatedAt: string;
  UpdatedAt: string;
  FirstObservedAt?: string;
  LastObservedAt?: string;
  Title: string;
  Description: string;
  Remediation?: { Recommendation: { Text: string; Url: string } };
  SourceUrl?: string;
  /** String values only, at most 50 pairs. */
  ProductFields: Record<string, string>;
  Resources: AsffResource[];
  Compliance: { Status: AsffComplianceStatus };
  RecordState: AsffRecordState;
  Vulnerabilities?: Array<{ Id: string }>;
}

/** Where the findings go: the account and region that call BatchImportFindings (they must be the finding's own). */
export interface FindingScope {
  account: string;
  region: string;
}

/** `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`: a custom integration's product. */
export function defaultProductArn(scope: FindingScope): string {
  return `arn:${partitionOf(scope.region)}:securityhub:${scope.region}:${scope.account}:product/${scope.account}/default`;
}

/** One finding per node and cause, stable across updates: re-importing the same Id updates it. */
export function findingId(scope: FindingScope, instanceId: string, cause: CauseCode): string {
  return `${FINDING_ID_PREFIX}/${scope.region}/${scope.account}/${instanceId}/${cause}`;
}

/** One generator (a discrete unit of logic) per cause rule. */
export function generatorId(cause: CauseCode): string {
  return `${FINDING_ID_PREFIX}/${cause}`;
}

/**
 * The node as an ASFF resource. EC2 instances have their own type (`AwsEc2Instance`, Id = instance
 * ARN); hybrid nodes (`mi-`) are SSM managed instances, which the ASFF resource list does not have,
 * so they are `Other` with the managed-instance ARN as Id (the model: "If the resource does not match
 * any of the provided types, then set Type to Other").
 */
export function nodeResource(scope: FindingScope, instanceId: string): AsffResource {
  const partition = partitionOf(scope.region) as AsffPartition;
  const arn = nodeResourceArn(instanceId, scope.account, scope.region, partition);
  if (!arn) throw new Error(`no resource ARN for ${instanceId} without account and region`);
  return {
    Type: instanceId.startsWith('mi-') ? 'Other' : 'AwsEc2Instance',
    Id: arn,
    Partition: partition,
    Region: scope.region,
  };
}

/** Cuts `text` to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}
