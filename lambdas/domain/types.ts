/**
 * Core domain vocabulary shared by the classifier, the remediation policy, the handlers,
 * the CLI and the simulator. Pure types: no AWS SDK import anywhere under `lambdas/domain`.
 *
 * A `NodeSnapshot` holds the raw SSM API shapes (SDK field names) with every timestamp as an
 * ISO-8601 string, so a snapshot captured from a real account can be saved and replayed.
 */

/** Cause codes are part of the public interface (alerts, CLI JSON, metrics dimensions). */
export const CAUSE_CODES = [
  'MISSING_PATCHES',
  'FAILED_PATCHES',
  'PENDING_REBOOT',
  'REJECTED_PATCHES_INSTALLED',
  'PATCH_OPERATION_FAILED',
  'SECURITY_UPDATES_NOT_APPROVED',
  'ASSOCIATION_FAILED',
  'INVENTORY_ASSOCIATION_FAILED',
  'CUSTOM_NONCOMPLIANT',
  'NODE_UNREACHABLE',
  /** Our own: the node never reported a patch scan (no DescribeInstancePatchStates entry). */
  'PATCH_SCAN_MISSING',
  /** Our own: the last patch operation is older than `staleScanHours`, so compliance data is stale. */
  'PATCH_SCAN_STALE',
] as const;
export type CauseCode = (typeof CAUSE_CODES)[number];

/** What a decision can do to a node. `NONE` = nothing at all (compliant, or scope `off`). */
export const ACTIONS = ['INSTALL_PATCHES', 'REBOOT_NODE', 'RERUN_ASSOCIATION', 'NOTIFY', 'NONE'] as const;
export type RemediationAction = (typeof ACTIONS)[number];

/** SendCommand takes at most 50 InstanceIds per call. */
export const SEND_COMMAND_MAX_INSTANCES = 50;
/** StartAssociationsOnce takes at most 10 association IDs a call (SSM API reference, AssociationIds). */
export const START_ASSOCIATIONS_MAX_IDS = 10;

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Platform = 'Linux' | 'Windows' | 'MacOS' | 'Unknown';

// ---------------------------------------------------------------------------------------------
// Snapshot: raw SSM shapes (subset of fields we rely on; unknown fields are kept as they are)
// ---------------------------------------------------------------------------------------------

/** DescribeInstanceInformation entry. */
export interface InstanceInformation {
  InstanceId: string;
  PingStatus?: 'Online' | 'ConnectionLost' | 'Inactive' | string;
  LastPingDateTime?: string;
  AgentVersion?: string;
  IsLatestVersion?: boolean;
  PlatformType?: 'Windows' | 'Linux' | 'MacOS' | string;
  PlatformName?: string;
  PlatformVersion?: string;
  ResourceType?: 'EC2Instance' | 'ManagedInstance' | string;
  ComputerName?: string;
  Name?: string;
  IPAddress?: string;
  RegistrationDate?: string;
  AssociationStatus?: string;
  LastAssociationExecutionDate?: string;
  LastSuccessfulAssociationExecutionDate?: string;
  [extra: string]: unknown;
}

/** DescribeInstancePatchStates entry. */
export interface InstancePatchState {
  InstanceId: string;
  PatchGroup?: string;
  BaselineId?: string;
  SnapshotId?: string;
  InstallOverrideList?: string;
  OwnerInformation?: string;
  InstalledCount?: number;
  InstalledOtherCount?: number;
  InstalledPendingRebootCount?: number;
  InstalledRejectedCount?: number;
  MissingCount?: number;
  FailedCount?: number;
  UnreportedNotApplicableCount?: number;
  NotApplicableCount?: number;
  AvailableSecurityUpdateCount?: number;
  OperationStartTime?: string;
  OperationEndTime?: string;
  Operation?: 'Scan' | 'Install' | string;
  LastNoRebootInstallOperationTime?: string;
  RebootOption?: 'RebootIfNeeded' | 'NoReboot' | string;
  CriticalNonCompliantCount?: number;
  SecurityNonCompliantCount?: number;
  OtherNonCompliantCount?: number;
  [extra: string]: unknown;
}

/** DescribeInstancePatches entry. `State` may be spelled `InstalledPendingReboot` or `INSTALLED_PENDING_REBOOT`. */
export interface PatchComplianceData {
  Title?: string;
  KBId?: string;
  Classification?: string;
  Severity?: string;
  State?: string;
  InstalledTime?: string;
  CVEIds?: string;
  [extra: string]: unknown;
}

/** ListComplianceItems entry. */
export interface ComplianceItem {
  ComplianceType?: string;
  ResourceType?: string;
  ResourceId?: string;
  Id?: string;
  Title?: string;
  Status?: 'COMPLIANT' | 'NON_COMPLIANT' | string;
  Severity?: string;
  ExecutionSummary?: { ExecutionTime?: string; ExecutionId?: string; ExecutionType?: string };
  Details?: Record<string, string>;
  [extra: string]: unknown;
}

/**
 * ListResourceComplianceSummaries entry (one per node and compliance type). The reader asks only for
 * NON_COMPLIANT ones: it is the batched way to learn which compliance types (Patch, Association,
 * Custom:*) are non-compliant, because ListComplianceItems takes a single ResourceId per call.
 */
export interface ResourceComplianceSummary {
  ComplianceType?: string;
  ResourceType?: string;
  ResourceId?: string;
  Status?: 'COMPLIANT' | 'NON_COMPLIANT' | string;
  OverallSeverity?: string;
  ExecutionSummary?: { ExecutionTime?: string; ExecutionId?: string; ExecutionType?: string };
  NonCompliantSummary?: {
    NonCompliantCount?: number;
    SeveritySummary?: Record<string, number | undefined>;
  };
  [extra: string]: unknown;
}

/** DescribeInstanceAssociationsStatus entry. */
export interface InstanceAssociationStatus {
  AssociationId?: string;
  Name?: string;
  DocumentVersion?: string;
  AssociationVersion?: string;
  InstanceId?: string;
  ExecutionDate?: string;
  Status?: string;
  DetailedStatus?: string;
  ExecutionSummary?: string;
  ErrorCode?: string;
  OutputUrl?: { S3OutputUrl?: { OutputUrl?: string } };
  AssociationName?: string;
  [extra: string]: unknown;
}

/** ListCommandInvocations entry (recent patch runs on the node). */
export interface CommandInvocation {
  CommandId?: string;
  InstanceId?: string;
  InstanceName?: string;
  Comment?: string;
  DocumentName?: string;
  DocumentVersion?: string;
  RequestedDateTime?: string;
  Status?: string;
  StatusDetails?: string;
  StandardOutputUrl?: string;
  StandardErrorUrl?: string;
  [extra: string]: unknown;
}

export interface NodeSnapshot {
  instanceId: string;
  /** ISO-8601 time the snapshot was read. The classifier's "now". */
  capturedAt: string;
  /** Region the node lives in (used for console links). Optional for hand-written snapshots. */
  region?: string;
  instanceInformation: InstanceInformation | null;
  patchState: InstancePatchState | null;
  patches?: PatchComplianceData[];
  /**
   * ListComplianceItems entries. The reader stores the NON_COMPLIANT non-Patch items (Patch items
   * duplicate `patches`). `undefined` = not read; `[]` = read, none.
   */
  complianceItems?: ComplianceItem[];
  /** NON_COMPLIANT ListResourceComplianceSummaries entries. `undefined` = not read; `[]` = read, none. */
  complianceSummaries?: ResourceComplianceSummary[];
  associationStatuses?: InstanceAssociationStatus[];
  commandInvocations?: CommandInvocation[];
  tags?: Record<string, string>;
  /**
   * Detail calls the reader deferred because the summary and the ledger rule out what they could show
   * (domain/detail-plan.ts). Absent or empty: nothing deferred. Nothing acts on a snapshot with a deferral.
   */
  deferredDetail?: DeferrableDetail[];
}

/** Detail calls a read may defer (domain/detail-plan.ts). */
export type DeferrableDetail = 'associationStatuses' | 'commandInvocations' | 'tags';

// ---------------------------------------------------------------------------------------------
// Diagnosis
// ---------------------------------------------------------------------------------------------

export interface ConsoleLink {
  label: string;
  url: string;
}

export interface Cause {
  code: CauseCode;
  /** The action this cause alone calls for (the policy combines causes into one decision). */
  remediation: RemediationAction;
  severity: Severity;
  /** One line, no line breaks. */
  summary: string;
  /** Facts that prove the cause: counts, patch titles/KBs/CVEs, association IDs, command IDs, times. */
  evidence: Record<string, unknown>;
  nextSteps: string[];
  consoleLinks: ConsoleLink[];
  /** For RERUN_ASSOCIATION: which associations to re-run. */
  associationIds?: string[];
  /** What the agent or service said about the failure, verbatim (shown on its own line). */
  message?: string;
}

export interface Diagnosis {
  instanceId: string;
  capturedAt: string;
  platform: Platform;
  /** The EC2 / hybrid node's `Name` tag (snapshot.tags.Name), if it has one. */
  nodeName?: string;
  /** The OS hostname (instanceInformation.ComputerName): shown, labelled, only when there is no Name tag. */
  hostname?: string;
  /** True when no cause was found. */
  compliant: boolean;
  causes: Cause[];
  /**
   * Facts worth knowing that do not make the node non-compliant (e.g. Windows security updates the
   * baseline does not approve while it counts them as COMPLIANT). One line each.
   */
  notes?: string[];
}

// ---------------------------------------------------------------------------------------------
// Decision (output of the pure remediation policy, before the stateful guards)
// ---------------------------------------------------------------------------------------------

export type NodeMode = 'auto' | 'notify' | 'off';

export interface Decision {
  action: RemediationAction;
  /** Human-readable, one line. */
  reason: string;
  /** True when the global mode is `dry-run`: nothing is changed, the would-be action is reported. */
  dryRun: boolean;
  nodeMode: NodeMode;
  /** Causes this decision acts on (or notifies about). */
  causes: CauseCode[];
  /** For RERUN_ASSOCIATION. */
  associationIds?: string[];
}
