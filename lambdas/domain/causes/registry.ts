/** Every cause rule, in the order causes are listed in a diagnosis (reachability first, then patches). */
import { AssociationFailedCause } from './association-failed';
import { CustomNoncompliantCause } from './custom-noncompliant';
import { FailedPatchesCause } from './failed-patches';
import { InventoryAssociationFailedCause } from './inventory-association-failed';
import { MissingPatchesCause } from './missing-patches';
import { NodeUnreachableCause } from './node-unreachable';
import { PatchOperationFailedCause } from './patch-operation-failed';
import { PatchScanMissingCause } from './patch-scan-missing';
import { PatchScanStaleCause } from './patch-scan-stale';
import { PendingRebootCause } from './pending-reboot';
import { RejectedPatchesInstalledCause } from './rejected-patches-installed';
import type { CauseRule } from './rule';
import { SecurityUpdatesNotApprovedCause } from './security-updates-not-approved';

export const CAUSE_RULES: readonly CauseRule[] = [
  NodeUnreachableCause,
  PatchScanMissingCause,
  PatchScanStaleCause,
  MissingPatchesCause,
  FailedPatchesCause,
  PendingRebootCause,
  RejectedPatchesInstalledCause,
  PatchOperationFailedCause,
  SecurityUpdatesNotApprovedCause,
  AssociationFailedCause,
  InventoryAssociationFailedCause,
  CustomNoncompliantCause,
];
