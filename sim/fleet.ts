/**
 * A deterministic synthetic fleet (per seed) and how its nodes react to commands.
 *
 * Every node starts from one of the reviewed example snapshots in `examples/` (each diagnoses to
 * exactly one cause, `examples/README.md`), re-identified and shifted in time. So the fake SSM serves
 * real response shapes that the real classifier is known to read correctly, and the cause mix below is
 * the simulation's ground truth.
 *
 * Cause mix (fractions of the fleet, documented in docs/PERFORMANCE.md):
 *   80 % compliant (healthy Linux / Windows), then 20 % spread over every CAUSE_CODES entry, weighted
 *   towards the common ones (missing patches, pending reboot). Platforms follow the templates (Linux,
 *   Windows); 10 % of nodes are hybrid (`mi-`). Scope tags: 50 % auto, 20 % notify, 10 % off, 20 % untagged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CauseCode, NodeMode, NodeSnapshot } from '../lambdas/domain/types';
import { CAUSE_CODES } from '../lambdas/domain/types';

export type ScopeTag = NodeMode | undefined;

/** mulberry32: small, fast, good enough for a reproducible simulation. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EXAMPLES_DIR = join(__dirname, '..', 'examples');
/** The instant every example snapshot was captured at (examples/README.md). */
const EXAMPLE_CAPTURED_AT = Date.parse('2026-11-20T14:05:12Z');

const TEMPLATE_BY_CAUSE: Record<CauseCode | 'HEALTHY_LINUX' | 'HEALTHY_WINDOWS', string> = {
  HEALTHY_LINUX: 'healthy-linux.json',
  HEALTHY_WINDOWS: 'healthy-windows.json',
  MISSING_PATCHES: 'missing-patches.json',
  FAILED_PATCHES: 'failed-patches.json',
  PENDING_REBOOT: 'pending-reboot.json',
  REJECTED_PATCHES_INSTALLED: 'rejected-patches-installed.json',
  PATCH_OPERATION_FAILED: 'patch-operation-failed.json',
  SECURITY_UPDATES_NOT_APPROVED: 'security-updates-not-approved.json',
  ASSOCIATION_FAILED: 'association-failed.json',
  INVENTORY_ASSOCIATION_FAILED: 'inventory-association-failed.json',
  CUSTOM_NONCOMPLIANT: 'custom-noncompliant.json',
  NODE_UNREACHABLE: 'node-unreachable.json',
  PATCH_SCAN_MISSING: 'patch-scan-missing.json',
  PATCH_SCAN_STALE: 'patch-scan-stale.json',
};

/** Weights of the non-compliant 20 %: every cause code appears. */
export const CAUSE_WEIGHTS: Record<CauseCode, number> = {
  MISSING_PATCHES: 30,
  PENDING_REBOOT: 20,
  FAILED_PATCHES: 6,
  REJECTED_PATCHES_INSTALLED: 4,
  PATCH_OPERATION_FAILED: 5,
  SECURITY_UPDATES_NOT_APPROVED: 5,
  ASSOCIATION_FAILED: 6,
  INVENTORY_ASSOCIATION_FAILED: 4,
  CUSTOM_NONCOMPLIANT: 5,
  NODE_UNREACHABLE: 5,
  PATCH_SCAN_MISSING: 5,
  PATCH_SCAN_STALE: 5,
};
export const NON_COMPLIANT_FRACTION = 0.2;
export const HYBRID_FRACTION = 0.1;
/** Causes the default settings remediate by a command (INSTALL_PATCHES / REBOOT_NODE). */
export const HEALABLE_CAUSES: ReadonlySet<CauseCode> = new Set<CauseCode>(['MISSING_PATCHES', 'PENDING_REBOOT']);

export interface SimNode {
  instanceId: string;
  /** Ground truth: the cause the node was built with (null = compliant). */
  seededCause: CauseCode | null;
  scopeTag: ScopeTag;
  tags: Record<string, string>;
  /** What SSM currently knows (raw shapes, ISO times). */
  snapshot: NodeSnapshot;
  /** Deregistered mid-flight: every SSM call naming it answers InvalidInstanceId. */
  deregistered: boolean;
  /** The agent went offline during the day (PingStatus ConnectionLost, commands time out). */
  offline: boolean;
  /** A command that will time out (fault injection) instead of completing. */
  nextCommandTimesOut: boolean;
}

export interface FleetOptions {
  nodes: number;
  seed: number;
  /** Simulated start of the day (epoch ms). */
  startMs: number;
  tagKey: string;
}

function loadTemplate(file: string): NodeSnapshot {
  return JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as NodeSnapshot;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Deep copy of a template with every ISO time shifted and every node ID replaced. */
function rebase(value: unknown, shiftMs: number, fromId: string, toId: string): unknown {
  if (typeof value === 'string') {
    if (ISO.test(value)) {
      const ms = Date.parse(value);
      // The epoch placeholder (InstalledTime of a missing patch) stays the epoch.
      return ms <= 0 ? value : new Date(ms + shiftMs).toISOString();
    }
    return value.split(fromId).join(toId);
  }
  if (Array.isArray(value)) return value.map((entry) => rebase(entry, shiftMs, fromId, toId));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, rebase(entry, shiftMs, fromId, toId)]));
  }
  return value;
}

function hex(random: () => number, length: number): string {
  let out = '';
  for (let index = 0; index < length; index += 1) out += Math.floor(random() * 16).toString(16);
  return out;
}

function pickWeighted<T extends string>(random: () => number, weights: Record<T, number>): T {
  const entries = Object.entries(weights) as [T, number][];
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [key, weight] of entries) {
    roll -= weight;
    if (roll < 0) return key;
  }
  return entries[entries.length - 1]![0];
}

export function buildFleet(options: FleetOptions): SimNode[] {
  const random = seededRandom(options.seed);
  const templates = new Map(Object.entries(TEMPLATE_BY_CAUSE).map(([key, file]) => [key, loadTemplate(file)]));
  const nodes: SimNode[] = [];
  const shiftMs = options.startMs - EXAMPLE_CAPTURED_AT;
  const usedIds = new Set<string>();
  for (let index = 0; index < options.nodes; index += 1) {
    const seededCause: CauseCode | null = random() < NON_COMPLIANT_FRACTION ? pickWeighted(random, CAUSE_WEIGHTS) : null;
    const templateKey = seededCause ?? (random() < 0.7 ? 'HEALTHY_LINUX' : 'HEALTHY_WINDOWS');
    const template = templates.get(templateKey)!;
    // The custom-noncompliant template is a hybrid node; others become hybrid at HYBRID_FRACTION.
    const hybrid = template.instanceId.startsWith('mi-') || random() < HYBRID_FRACTION;
    let instanceId: string;
    do instanceId = hybrid ? `mi-${hex(random, 17)}` : `i-${hex(random, 17)}`;
    while (usedIds.has(instanceId));
    usedIds.add(instanceId);
    const snapshot = rebase(template, shiftMs, template.instanceId, instanceId) as NodeSnapshot;
    if (hybrid && snapshot.instanceInformation) {
      snapshot.instanceInformation.ResourceType = 'ManagedInstance';
      delete snapshot.instanceInformation['SourceType'];
      delete snapshot.instanceInformation['SourceId'];
    }
    const tagRoll = random();
    const scopeTag: ScopeTag = tagRoll < 0.5 ? 'auto' : tagRoll < 0.7 ? 'notify' : tagRoll < 0.8 ? 'off' : undefined;
    const tags: Record<string, string> = { ...(template.tags ?? {}), Name: `sim-${index}` };
    // The templates carry their own scope tag: the fleet's mix decides instead.
    delete tags['ComplianceAutopilot'];
    delete tags[options.tagKey];
    // People write `Off`, `OFF`, ` auto`: 3 nodes in 10 carry such a spelling (by index, so the seed's
    // draws stay as they were); the pipeline must read them as the lower-case value.
    if (scopeTag) tags[options.tagKey] = scopeSpelling(scopeTag, index);
    snapshot.tags = tags;
    nodes.push({ instanceId, seededCause, scopeTag, tags, snapshot, deregistered: false, offline: false, nextCommandTimesOut: false });
  }
  return nodes;
}

function scopeSpelling(value: NodeMode, index: number): string {
  if (index % 10 === 3) return value.charAt(0).toUpperCase() + value.slice(1);
  if (index % 10 === 6) return value.toUpperCase();
  if (index % 10 === 9) return ` ${value}`;
  return value;
}

/** Every cause code the fleet contains (the simulator asserts all of CAUSE_CODES appear at scale). */
export function causesPresent(nodes: readonly SimNode[]): CauseCode[] {
  const present = new Set(nodes.flatMap((node) => (node.seededCause ? [node.seededCause] : [])));
  return CAUSE_CODES.filter((code) => present.has(code));
}

// -------------------------------------------------------------------------------------------------
// How a node reacts to AWS-RunPatchBaseline
// -------------------------------------------------------------------------------------------------

const NOT_INSTALLED = new Set(['missing', 'installedpendingreboot', 'installed_pending_reboot']);

export interface InstallOutcome {
  status: 'Success' | 'Failed';
  rebooted: boolean;
  responseCode: number;
  output: string;
}

/**
 * AWS-RunPatchBaseline Install on one node (AWS-FACTS.md "Acting"): installs missing patches unless the
 * node's patches fail; RebootIfNeeded reboots when it installed anything or found pending-reboot
 * patches, which clears InstalledPendingReboot; with NoReboot installed patches stay pending reboot.
 */
export function applyInstall(node: SimNode, rebootOption: string, atMs: number, startedMs: number): InstallOutcome {
  const state = node.snapshot.patchState;
  const iso = (ms: number) => new Date(ms).toISOString();
  if (!state) {
    return { status: 'Failed', rebooted: false, responseCode: 1, output: 'No patch baseline state: scan never completed' };
  }
  if ((state.FailedCount ?? 0) > 0) {
    state.Operation = 'Install';
    state.OperationStartTime = iso(startedMs);
    state.OperationEndTime = iso(atMs);
    return { status: 'Failed', rebooted: false, responseCode: 1, output: 'Install failed: package manager error (yum returned 1)' };
  }
  const missing = state.MissingCount ?? 0;
  const pending = state.InstalledPendingRebootCount ?? 0;
  const reboot = rebootOption === 'RebootIfNeeded' && missing + pending > 0;
  const patches = node.snapshot.patches ?? [];
  for (const patch of patches) {
    const normalized = (patch.State ?? '').toLowerCase();
    if (!NOT_INSTALLED.has(normalized)) continue;
    patch.State = reboot ? 'Installed' : 'InstalledPendingReboot';
    patch.InstalledTime = iso(atMs);
  }
  state.InstalledCount = (state.InstalledCount ?? 0) + (reboot ? missing + pending : 0);
  state.InstalledPendingRebootCount = reboot ? 0 : pending + missing;
  state.MissingCount = 0;
  state.Operation = 'Install';
  state.RebootOption = rebootOption;
  state.OperationStartTime = iso(startedMs);
  state.OperationEndTime = iso(atMs);
  if (!reboot) state.LastNoRebootInstallOperationTime = iso(atMs);
  const stillNonCompliant =
    (state.InstalledPendingRebootCount ?? 0) + (state.FailedCount ?? 0) + (state.InstalledRejectedCount ?? 0) > 0;
  if (!stillNonCompliant) {
    state.CriticalNonCompliantCount = 0;
    state.SecurityNonCompliantCount = 0;
    state.OtherNonCompliantCount = 0;
    clearPatchCompliance(node, atMs);
  }
  if (reboot && node.snapshot.instanceInformation) {
    node.snapshot.instanceInformation.LastPingDateTime = iso(atMs);
  }
  return { status: 'Success', rebooted: reboot, responseCode: 0, output: `Installed ${missing} patch(es); reboot ${reboot ? 'done' : 'not done'}` };
}

/** After a clean install the Patch compliance type (and the patching association's items) become COMPLIANT. */
function clearPatchCompliance(node: SimNode, atMs: number): void {
  const patchRelated = (type: string | undefined, title: string | undefined) =>
    type === 'Patch' || (type === 'Association' && /patch/i.test(title ?? ''));
  node.snapshot.complianceSummaries = (node.snapshot.complianceSummaries ?? []).filter(
    (summary) => summary.ComplianceType !== 'Patch' && !(summary.ComplianceType === 'Association' && onlyPatchAssociations(node)),
  );
  for (const item of node.snapshot.complianceItems ?? []) {
    if (patchRelated(item.ComplianceType, item.Title)) {
      item.Status = 'COMPLIANT';
      item.ExecutionSummary = { ...(item.ExecutionSummary ?? {}), ExecutionTime: new Date(atMs).toISOString() };
    }
  }
  node.snapshot.complianceItems = (node.snapshot.complianceItems ?? []).filter((item) => item.Status !== 'COMPLIANT');
}

function onlyPatchAssociations(node: SimNode): boolean {
  const associationItems = (node.snapshot.complianceItems ?? []).filter((item) => item.ComplianceType === 'Association');
  return associationItems.every((item) => /patch/i.test(item.Title ?? ''));
}

/** Ground truth at the end of the day: does SSM still show something a command could fix? */
export function isHealed(node: SimNode): boolean {
  const state = node.snapshot.patchState;
  if (!state) return false;
  return (state.MissingCount ?? 0) === 0 && (state.InstalledPendingRebootCount ?? 0) === 0;
}
