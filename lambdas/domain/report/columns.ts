/**
 * The report columns, exact header text and order. The first columns are Patch Manager's own (SSM user
 * guide, "patch-manager-store-compliance-results-in-s3": the AWS-ExportPatchReportToS3 runbook's
 * all-node and single-node reports), so an auditor's existing sheet keeps working; ours follow.
 */
export const PATCH_MANAGER_ALL_NODE_COLUMNS = [
  'Index',
  'Instance ID',
  'Instance name',
  'Instance IP',
  'Platform name',
  'Platform version',
  'SSM Agent version',
  'Patch baseline',
  'Patch group',
  'Compliance status',
  'Compliance severity',
  'Noncompliant Critical severity patch count',
  'Noncompliant High severity patch count',
  'Noncompliant Medium severity patch count',
  'Noncompliant Low severity patch count',
  'Noncompliant Informational severity patch count',
  'Noncompliant Unspecified severity patch count',
] as const;

export const AUTOPILOT_ALL_NODE_COLUMNS = [
  'Causes',
  'Action',
  'Automation state',
  'Last command ID',
  'Last command status',
  'Attempts',
  'Non-compliant since',
  'Scope',
  'Account',
  'Region',
] as const;

export const ALL_NODE_HEADER: readonly string[] = [...PATCH_MANAGER_ALL_NODE_COLUMNS, ...AUTOPILOT_ALL_NODE_COLUMNS];

export const PATCH_MANAGER_SINGLE_NODE_COLUMNS = [
  'Index',
  'Instance ID',
  'Instance name',
  'Patch name',
  'KB ID/Patch ID',
  'Patch state',
  'Last report time',
  'Compliance level',
  'Patch severity',
  'Patch classification',
  'CVE ID',
  'Patch baseline',
  'Logs URL',
  'Instance IP',
  'Platform name',
  'Platform version',
  'SSM Agent version',
] as const;

export const SINGLE_NODE_HEADER: readonly string[] = [...PATCH_MANAGER_SINGLE_NODE_COLUMNS, 'Cause'];
