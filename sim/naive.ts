/**
 * The naive peer AWS documents: an EventBridge rule on compliance events whose target is Run Command
 * AWS-RunPatchBaseline (Install, default RebootIfNeeded) on the node named in the event. No reads, no
 * scope tags, no memory. Fed the same event stream as the pipeline, counted the same way.
 *
 * Its loop is modelled as it happens on a real node: the agent runs one document at a time (AWS-FACTS.md
 * "Acting"), so commands queue on the node; each command still waiting after the delivery timeout
 * (default 3600 s) times out unexecuted; every executed Install writes PutInventory + PutComplianceItems,
 * which the rule turns into two more commands.
 */
import type { SimNode } from './fleet';

export interface NaiveCounts {
  commands: number;
  reboots: number;
  ssmReadCalls: number;
  commandsToOptedOutNodes: number;
  timedOutUnexecuted: number;
  executed: number;
}

interface NaiveNodeState {
  queue: number[];
  busyUntilMs: number;
  /** Missing / pending-reboot patches still on the node in the naive world. */
  needsInstall: boolean;
  patchesFail: boolean;
  optedOut: boolean;
  online: () => boolean;
}

const DELIVERY_TIMEOUT_MS = 3600 * 1000;

export class NaivePeer {
  readonly counts: NaiveCounts = { commands: 0, reboots: 0, ssmReadCalls: 0, commandsToOptedOutNodes: 0, timedOutUnexecuted: 0, executed: 0 };
  private readonly states = new Map<string, NaiveNodeState>();

  constructor(
    nodes: SimNode[],
    tagKey: string,
    private readonly installMinutes: (instanceId: string) => number,
  ) {
    for (const node of nodes) {
      const state = node.snapshot.patchState;
      this.states.set(node.instanceId, {
        queue: [],
        busyUntilMs: 0,
        needsInstall: (state?.MissingCount ?? 0) + (state?.InstalledPendingRebootCount ?? 0) > 0,
        patchesFail: (state?.FailedCount ?? 0) > 0,
        optedOut: node.tags[tagKey]?.trim().toLowerCase() === 'off',
        online: () => !node.offline && !node.deregistered && node.snapshot.instanceInformation?.PingStatus === 'Online',
      });
    }
  }

  /** One compliance event reached the rule: one SendCommand. */
  onEvent(instanceId: string, atMs: number): void {
    const state = this.states.get(instanceId);
    if (!state) return;
    this.counts.commands += 1;
    if (state.optedOut) this.counts.commandsToOptedOutNodes += 1;
    state.queue.push(atMs);
  }

  /** Runs every node's queue up to `nowMs`; executed Installs feed two new events back into the rule. */
  advance(nowMs: number): void {
    for (const [instanceId, state] of this.states) {
      while (state.queue.length > 0) {
        const requested = state.queue[0]!;
        const startMs = Math.max(requested, state.busyUntilMs);
        if (startMs > nowMs) break;
        state.queue.shift();
        if (!state.online() || startMs - requested > DELIVERY_TIMEOUT_MS) {
          this.counts.timedOutUnexecuted += 1;
          continue;
        }
        const reboot = state.needsInstall && !state.patchesFail;
        const endMs = startMs + (this.installMinutes(instanceId) + (reboot ? 4 : 0)) * 60_000;
        state.busyUntilMs = endMs;
        this.counts.executed += 1;
        if (reboot) {
          this.counts.reboots += 1;
          state.needsInstall = false;
        }
        // PutInventory (AWS:ComplianceItem/PatchSummary) and PutComplianceItems after the run.
        this.onEvent(instanceId, endMs + 5_000);
        this.onEvent(instanceId, endMs + 7_000);
      }
    }
  }
}
