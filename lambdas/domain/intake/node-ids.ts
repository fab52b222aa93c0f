/**
 * Which managed node an event is about, and which IAM role made the call: from the request
 * parameters, else from the caller's session (instance profile / Default Host Management). Pure.
 */
import type { CloudTrailDetail } from './event-schemas';

/** EC2 instance IDs: 8 (legacy) or 17 hex digits; hybrid managed nodes: `mi-` + 17 hex digits. */
const NODE_ID_PATTERN = /^(?:i-(?:[0-9a-f]{8}|[0-9a-f]{17})|mi-[0-9a-f]{17})$/;

export function isManagedNodeId(value: unknown): value is string {
  return typeof value === 'string' && NODE_ID_PATTERN.test(value);
}

/**
 * The node that made the call, from its session name: an instance profile or Default Host
 * Management session is `arn:aws:sts::<acct>:assumed-role/<role>/i-0abc...` with principalId
 * `AROA...:i-0abc...` (AWS-FACTS "Events", caller identity fallback).
 */
export function nodeIdFromCaller(userIdentity: CloudTrailDetail['userIdentity']): string | undefined {
  if (!userIdentity) return undefined;
  const fromArn = userIdentity.arn?.match(/:assumed-role\/[^/]+\/([^/]+)$/)?.[1];
  if (isManagedNodeId(fromArn)) return fromArn;
  const fromPrincipal = userIdentity.principalId?.split(':')[1];
  if (isManagedNodeId(fromPrincipal)) return fromPrincipal;
  return undefined;
}

/** The IAM role that made the call: session issuer name, else the role segment of the assumed-role ARN. */
export function callerRoleName(userIdentity: CloudTrailDetail['userIdentity']): string | undefined {
  if (!userIdentity) return undefined;
  const issuer = userIdentity.sessionContext?.sessionIssuer;
  if (issuer?.type === 'Role' && issuer.userName) return issuer.userName;
  return userIdentity.arn?.match(/:assumed-role\/([^/]+)\//)?.[1];
}

/** The node a call concerns: the managed node ID in its parameters, else (parameter absent) the caller's node. */
export function pickNodeId(fromParameters: string | undefined, userIdentity: CloudTrailDetail['userIdentity']): string | undefined {
  if (isManagedNodeId(fromParameters)) return fromParameters;
  // Only fall back to the caller when the parameter is absent (truncated): a present but foreign ID
  // (e.g. an on-premises server name in a Custom upload) must not be swapped for the caller's node.
  if (fromParameters === undefined) return nodeIdFromCaller(userIdentity);
  return undefined;
}
