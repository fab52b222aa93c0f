/**
 * Per cause: a short human name for finding titles and the AWS documentation page a finding's
 * `Remediation.Recommendation.Url` points to. Only pages of the Systems Manager user guide / API
 * reference that exist under these names (checked against the published guide).
 */
import type { CauseCode } from '../types';

const USER_GUIDE = 'https://docs.aws.amazon.com/systems-manager/latest/userguide';

const PAGES = {
  remediation: `${USER_GUIDE}/patch-manager-compliance-remediation.html`,
  states: `${USER_GUIDE}/patch-manager-compliance-states.html`,
  findNoncompliant: `${USER_GUIDE}/patch-manager-find-noncompliant-nodes.html`,
  nodeAvailability: `${USER_GUIDE}/fleet-manager-troubleshooting-managed-nodes.html`,
  associationHistory: `${USER_GUIDE}/state-manager-associations-history.html`,
  customCompliance: 'https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutComplianceItems.html',
} as const;

export interface CauseGuidance {
  /** "Missing patches": used in titles. */
  name: string;
  url: string;
}

export const CAUSE_GUIDANCE: Record<CauseCode, CauseGuidance> = {
  MISSING_PATCHES: { name: 'Missing approved patches', url: PAGES.remediation },
  FAILED_PATCHES: { name: 'Patches failed to install', url: PAGES.states },
  PENDING_REBOOT: { name: 'Reboot pending after patching', url: PAGES.remediation },
  REJECTED_PATCHES_INSTALLED: { name: 'Rejected patches installed', url: PAGES.states },
  PATCH_OPERATION_FAILED: { name: 'Patch operation failed', url: PAGES.findNoncompliant },
  SECURITY_UPDATES_NOT_APPROVED: { name: 'Security updates not approved', url: PAGES.states },
  ASSOCIATION_FAILED: { name: 'State Manager association failed', url: PAGES.associationHistory },
  INVENTORY_ASSOCIATION_FAILED: { name: 'Inventory association failed', url: PAGES.associationHistory },
  CUSTOM_NONCOMPLIANT: { name: 'Custom compliance non-compliant', url: PAGES.customCompliance },
  NODE_UNREACHABLE: { name: 'Managed node unreachable', url: PAGES.nodeAvailability },
  PATCH_SCAN_MISSING: { name: 'No patch scan reported', url: PAGES.findNoncompliant },
  PATCH_SCAN_STALE: { name: 'Patch scan out of date', url: PAGES.findNoncompliant },
};
