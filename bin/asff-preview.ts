/**
 * `diagnose --asff`: the Security Hub findings (ASFF) a node would produce now, as a JSON array, so a
 * team can review them before turning `securityHubFindings` on. The same domain functions the
 * Lambdas use, as if nothing had been imported before (first imports: top-level Types and Severity
 * included). Account and region name the findings (Id, ProductArn, resource ARNs).
 */
import { previewFindings, type AsffFinding, type FindingScope } from '../lambdas/domain/findings';
import type { Decision, Diagnosis, NodeSnapshot } from '../lambdas/domain/types';

/** AWS's own documentation example account: obviously not a real one. */
export const PLACEHOLDER_ACCOUNT = '123456789012';
export const FALLBACK_REGION = 'us-east-1';

export interface ScopeSources {
  /** --account */
  account?: string;
  /** --region */
  region?: string;
  env: NodeJS.ProcessEnv;
  snapshot: NodeSnapshot;
}

/**
 * Account: --account, else AWS_ACCOUNT_ID, else the placeholder 123456789012 (with a note).
 * Region: --region, else the snapshot's region, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1 (with a note).
 */
export function findingScope(sources: ScopeSources): { scope: FindingScope; notes: string[] } {
  const notes: string[] = [];
  let account = sources.account ?? sources.env['AWS_ACCOUNT_ID'];
  if (!account) {
    account = PLACEHOLDER_ACCOUNT;
    notes.push(`no --account given: the findings name the placeholder account ${PLACEHOLDER_ACCOUNT}`);
  }
  let region = sources.region ?? sources.snapshot.region ?? sources.env['AWS_REGION'] ?? sources.env['AWS_DEFAULT_REGION'];
  if (!region) {
    region = FALLBACK_REGION;
    notes.push(`no --region given and none in the snapshot: the findings name ${FALLBACK_REGION}`);
  }
  return { scope: { account, region }, notes };
}

export function isAccountId(value: string): boolean {
  return /^\d{12}$/.test(value);
}

export function isRegionName(value: string): boolean {
  return /^[a-z]{2}(-[a-z]+)+-\d+$/.test(value);
}

export function renderAsff(diagnosis: Diagnosis, decision: Decision, scope: FindingScope, now: Date): string {
  const findings: AsffFinding[] = previewFindings(diagnosis, decision, scope, now);
  return `${JSON.stringify(findings, null, 2)}\n`;
}
