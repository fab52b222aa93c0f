/**
 * A simulated day of the account's events, in simulated time, as EventBridge would deliver them to
 * the triage queue. Envelopes are the real-shaped fixtures in `test/fixtures/events/` with the node,
 * the IDs and the times replaced.
 *
 * Per node (AWS-FACTS.md "Volume": ~98 events per node per day):
 *  - PutInventory (software inventory) every 30 minutes at a per-node phase plus the agent's 0-30 s jitter;
 *  - PutComplianceItems after each run of a 30-minute association (hash only when nothing changed);
 *  - a maintenance-window patch scan burst (all nodes in a 20-minute window): PutInventory with
 *    AWS:ComplianceItem / AWS:PatchSummary, and a native "Configuration Compliance State Change" for
 *    nodes that are non-compliant after the scan;
 *  - the reaction to a finished command (the runner asks `afterCommand`): PutInventory (patch),
 *    PutComplianceItems and a native compliance change, a few seconds apart.
 * Offline or deregistered agents stop reporting.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimNode } from './fleet';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'events');
const MINUTE = 60_000;
const INVENTORY_PERIOD = 30 * MINUTE;

export type SimEventKind = 'inventory' | 'association' | 'patch-scan' | 'native-change' | 'command-reaction';

export interface SimEvent {
  atMs: number;
  kind: SimEventKind;
  instanceId: string;
  /** The EventBridge event JSON (the SQS message body). */
  body: string;
}

interface Template {
  text: string;
  nodeId: string;
}

function template(file: string, nodeId: string): Template {
  return { text: readFileSync(join(FIXTURES, file), 'utf8'), nodeId };
}

const TEMPLATES = {
  inventory: template('cloudtrail-put-inventory-software.json', 'i-0123456789abcdef0'),
  patchInventory: template('cloudtrail-put-inventory-patch.json', 'i-0123456789abcdef0'),
  associationHashOnly: template('cloudtrail-put-compliance-items-hash-only.json', 'i-0fedcba9876543210'),
  associationItems: template('cloudtrail-put-compliance-items-instance.json', 'i-0fedcba9876543210'),
  native: template('native-compliance-patch-non-compliant.json', 'i-0123456789abcdef0'),
  commandStatus: template('command-status-change-success.json', 'i-0123456789abcdef0'),
};

export class EventFactory {
  private counter = 0;
  constructor(private readonly random: () => number) {}

  private uuid(): string {
    this.counter += 1;
    const hex = (n: number) =>
      Array.from({ length: n }, () => Math.floor(this.random() * 16).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${this.counter.toString(16).padStart(12, '0')}`;
  }

  private build(source: Template, node: SimNode, atMs: number, edit?: (event: Record<string, unknown>) => void): string {
    const event = JSON.parse(source.text.split(source.nodeId).join(node.instanceId)) as Record<string, unknown> & {
      detail: Record<string, unknown>;
    };
    const iso = new Date(atMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    event['id'] = this.uuid();
    event['time'] = iso;
    if ('eventTime' in event.detail) {
      event.detail['eventTime'] = iso;
      event.detail['eventID'] = this.uuid();
      event.detail['requestID'] = this.uuid();
    }
    edit?.(event);
    return JSON.stringify(event);
  }

  inventory(node: SimNode, atMs: number): SimEvent {
    return { atMs, kind: 'inventory', instanceId: node.instanceId, body: this.build(TEMPLATES.inventory, node, atMs) };
  }
  association(node: SimNode, atMs: number): SimEvent {
    return { atMs, kind: 'association', instanceId: node.instanceId, body: this.build(TEMPLATES.associationHashOnly, node, atMs) };
  }
  patchInventory(node: SimNode, atMs: number, kind: SimEventKind = 'patch-scan'): SimEvent {
    return { atMs, kind, instanceId: node.instanceId, body: this.build(TEMPLATES.patchInventory, node, atMs) };
  }
  associationItems(node: SimNode, atMs: number, kind: SimEventKind = 'command-reaction'): SimEvent {
    return { atMs, kind, instanceId: node.instanceId, body: this.build(TEMPLATES.associationItems, node, atMs) };
  }
  nativeChange(node: SimNode, atMs: number, status: 'compliant' | 'non_compliant', kind: SimEventKind = 'native-change'): SimEvent {
    return {
      atMs,
      kind,
      instanceId: node.instanceId,
      body: this.build(TEMPLATES.native, node, atMs, (event) => {
        (event['detail'] as Record<string, unknown>)['compliance-status'] = status;
      }),
    };
  }
  /** "EC2 Command Invocation Status-change Notification" (goes to the follow-up, not the queue). */
  commandStatus(node: SimNode, atMs: number, commandId: string, requestedMs: number, status: string): Record<string, unknown> {
    return JSON.parse(
      this.build(TEMPLATES.commandStatus, node, atMs, (event) => {
        const detail = event['detail'] as Record<string, unknown>;
        detail['command-id'] = commandId;
        detail['status'] = status;
        detail['requested-date-time'] = new Date(requestedMs).toISOString();
      }),
    ) as Record<string, unknown>;
  }
}

export interface DayPlanOptions {
  startMs: number;
  /** Start of the maintenance-window scan burst (ms after start). */
  maintenanceWindowOffsetMs: number;
  maintenanceWindowMinutes: number;
  /** Fraction of nodes whose agent goes offline during the day. */
  offlineFraction: number;
  /** Fraction of nodes deregistered during the day. */
  deregisterFraction: number;
}

interface NodeSchedule {
  node: SimNode;
  nextInventoryMs: number;
  nextAssociationMs: number;
  scanAtMs: number;
  offlineAtMs: number | null;
  deregisterAtMs: number | null;
}

/** Produces the day's background events step by step (no 200k-element array up front). */
export class DayPlan {
  private readonly schedules: NodeSchedule[];
  constructor(
    nodes: SimNode[],
    private readonly factory: EventFactory,
    private readonly random: () => number,
    options: DayPlanOptions,
  ) {
    const day = 24 * 60 * MINUTE;
    this.schedules = nodes.map((node) => ({
      node,
      nextInventoryMs: options.startMs + random() * INVENTORY_PERIOD,
      nextAssociationMs: options.startMs + random() * INVENTORY_PERIOD,
      scanAtMs: options.startMs + options.maintenanceWindowOffsetMs + random() * options.maintenanceWindowMinutes * MINUTE,
      offlineAtMs: random() < options.offlineFraction ? options.startMs + random() * day : null,
      deregisterAtMs: random() < options.deregisterFraction ? options.startMs + random() * day : null,
    }));
  }

  /** Events in [fromMs, toMs), sorted by time; applies offline/deregistration changes due in it. */
  eventsBetween(fromMs: number, toMs: number, isNonCompliant: (node: SimNode) => boolean): SimEvent[] {
    const out: SimEvent[] = [];
    for (const schedule of this.schedules) {
      const { node } = schedule;
      if (schedule.deregisterAtMs !== null && schedule.deregisterAtMs < toMs) node.deregistered = true;
      if (schedule.offlineAtMs !== null && schedule.offlineAtMs < toMs) node.offline = true;
      if (node.deregistered || node.offline || node.snapshot.instanceInformation?.PingStatus !== 'Online') {
        // A silent agent reports nothing; keep its clocks moving.
        while (schedule.nextInventoryMs < toMs) schedule.nextInventoryMs += INVENTORY_PERIOD;
        while (schedule.nextAssociationMs < toMs) schedule.nextAssociationMs += INVENTORY_PERIOD;
        continue;
      }
      while (schedule.nextInventoryMs < toMs) {
        // AWS-GatherSoftwareInventory: the agent adds a random 0-30 s delay (AWS-FACTS.md).
        const jitter = Math.floor(this.random() * 30_000);
        out.push(this.factory.inventory(node, schedule.nextInventoryMs + jitter));
        schedule.nextInventoryMs += INVENTORY_PERIOD;
      }
      while (schedule.nextAssociationMs < toMs) {
        out.push(this.factory.association(node, schedule.nextAssociationMs));
        schedule.nextAssociationMs += INVENTORY_PERIOD;
      }
      if (schedule.scanAtMs >= fromMs && schedule.scanAtMs < toMs) {
        scanPatchState(node, schedule.scanAtMs);
        out.push(this.factory.patchInventory(node, schedule.scanAtMs));
        out.push(this.factory.associationItems(node, schedule.scanAtMs + 2_000, 'patch-scan'));
        if (isNonCompliant(node)) out.push(this.factory.nativeChange(node, schedule.scanAtMs + 4_000, 'non_compliant'));
      }
    }
    return out.sort((a, b) => a.atMs - b.atMs);
  }

  /** What a real node emits after a command finished: new patch data, association compliance, native change. */
  afterCommand(node: SimNode, endMs: number, compliantNow: boolean): SimEvent[] {
    if (node.deregistered) return [];
    return [
      this.factory.patchInventory(node, endMs + 5_000, 'command-reaction'),
      this.factory.associationItems(node, endMs + 7_000, 'command-reaction'),
      this.factory.nativeChange(node, endMs + 9_000, compliantNow ? 'compliant' : 'non_compliant', 'command-reaction'),
    ];
  }
}

/**
 * The maintenance window's Scan moves the node's patch state (DescribeInstancePatchStates: `Operation`
 * Scan, `OperationStartTime` / `OperationEndTime` of this run; AWS-FACTS.md), finding the same counts:
 * nothing new is released during the simulated day. Only nodes whose last operation was already a
 * Scan: a node seeded stale (PATCH_SCAN_STALE) is one whose scans do not run, one seeded with a failed
 * command after its last scan (PATCH_OPERATION_FAILED) keeps that history for the day, and the Install
 * states (FAILED_PATCHES, PENDING_REBOOT) change with our commands.
 */
function scanPatchState(node: SimNode, atMs: number): void {
  const state = node.snapshot.patchState;
  if (!state || state.Operation !== 'Scan') return;
  if (node.seededCause === 'PATCH_SCAN_STALE' || node.seededCause === 'PATCH_OPERATION_FAILED') return;
  state.OperationStartTime = new Date(atMs - 90_000).toISOString();
  state.OperationEndTime = new Date(atMs).toISOString();
}
