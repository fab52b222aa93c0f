/**
 * The simulator's acting-path fault profile (`--faults all`, issue 14), seeded. Per SendCommand:
 * reply lost after SSM accepted it, HTTP 500 after accepting it, connection reset before SSM saw it,
 * and the triage Lambda killed while waiting for the reply (the container's invocation is abandoned,
 * its batch redelivered); per multi-node SendCommand: a node deregistered or re-tagged `Off` between
 * the read and the call (the fake applies the IAM tag condition); per read: slow replies that let
 * other handlers, fast-failing commands and their follow-ups overtake a reader.
 */
import type { FaultPlan, SsmFault } from './aws-fake/server';
import type { FakeAws } from './aws-fake/state';

export type FaultProfile = 'none' | 'all';

export const FAULT_RATES = {
  replyLost: 0.08,
  serverErrorAfterAccept: 0.06,
  resetBeforeAccept: 0.06,
  killedAfterSend: 0.05,
  deregisteredMidBatch: 0.1,
  tagChangedMidBatch: 0.1,
  slowRead: 0.02,
} as const;

/** Invocations to abandon, by the request path of their container (`/c<n>/`). */
export const killSwitch = new Map<string, (error: Error) => void>();

export function faultPlan(random: () => number, counts: Record<string, number>): FaultPlan {
  const count = (name: string) => (counts[name] = (counts[name] ?? 0) + 1);
  return {
    decide: (operation): SsmFault | undefined => {
      if (operation === 'SendCommand') {
        let roll = random();
        for (const [name, rate, fault] of [
          ['replyLost', FAULT_RATES.replyLost, { kind: 'REPLY_LOST' }],
          ['serverErrorAfterAccept', FAULT_RATES.serverErrorAfterAccept, { kind: 'SERVER_ERROR_AFTER_ACCEPT' }],
          ['resetBeforeAccept', FAULT_RATES.resetBeforeAccept, { kind: 'RESET_BEFORE_ACCEPT' }],
          ['killedAfterSend', FAULT_RATES.killedAfterSend, { kind: 'HANG_AFTER_ACCEPT' }],
        ] as const) {
          if (roll < rate) {
            count(name);
            return fault;
          }
          roll -= rate;
        }
        return undefined;
      }
      if (/^(Describe|List)/.test(operation) && random() < FAULT_RATES.slowRead) {
        count('slowRead');
        return { kind: 'DELAY', ms: 30 };
      }
      return undefined;
    },
    onHang: (_operation, path) => {
      const kill = killSwitch.get(path.replace(/\/?$/, '/'));
      kill?.(new Error('Task timed out (simulated kill after SendCommand)'));
    },
  };
}

/** Mid-batch changes, applied by the fake just before it evaluates a SendCommand. */
export function midBatchChanges(fake: () => FakeAws, random: () => number, tagKey: string, counts: Record<string, number>): (ids: readonly string[]) => void {
  return (ids) => {
    if (ids.length < 2) return;
    const roll = random();
    const victim = fake().nodes.get(ids[Math.floor(random() * ids.length)]!);
    if (!victim) return;
    if (roll < FAULT_RATES.deregisteredMidBatch) {
      victim.deregistered = true;
      counts['deregisteredMidBatch'] = (counts['deregisteredMidBatch'] ?? 0) + 1;
    } else if (roll < FAULT_RATES.deregisteredMidBatch + FAULT_RATES.tagChangedMidBatch) {
      victim.tags[tagKey] = 'Off';
      victim.snapshot.tags = victim.tags;
      counts['tagChangedMidBatch'] = (counts['tagChangedMidBatch'] ?? 0) + 1;
    }
  };
}
