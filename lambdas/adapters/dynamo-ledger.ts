/**
 * RemediationLedger over DynamoDB (lib-dynamodb). Table: pk (S), sk (S), TTL `expiresAt` (epoch s).
 *
 * Items:
 *  - `NODE#<id>` / `STATE`: everything about one node as top-level attributes (firstSeenAt,
 *    lastCommandEndedAt, `attempts_<CAUSE>` lists, `alert_<key>` marks, openCauses string set,
 *    deferral, summary fingerprint). Top-level, because UpdateItem cannot SET a path inside a map
 *    that does not exist yet.
 *  - `ACCOUNT` / `IN_FLIGHT`: the command slots: maps `remediations` and `reboots` keyed by node ID.
 *    One conditional UpdateItem on this single item takes the node's lock AND checks both caps
 *    (`size()` of a map in a condition counts its entries, DynamoDB condition expression reference),
 *    so two concurrent handlers on one node send exactly one command and the caps hold, without
 *    TransactWriteItems. The price: the item holds at most a few thousand locks (400 KB item limit);
 *    the caps are far below that.
 *  - `ACCOUNT` / `NOTICE#<key>`: account-wide notices (the paused reminder), `dynamo-notices.ts`.
 *
 * This class is the port; the work is split by concern under `ledger/`: `command-slots.ts` (locks,
 * caps, send token), `node-records.ts` (evaluations, attempts, cooldown), `node-alerts.ts` (alert marks,
 * open causes), `items.ts` (keys and item conversion).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CauseCode } from '../domain/types';
import type { CommandLock, EvaluationRecord, InFlightState, LockAcquireResult, LockRequest, NodeLedgerRecord, RemediationLedger } from '../ports/ledger';
import { CommandSlots } from './ledger/command-slots';
import { emptyRecord } from './ledger/items';
import { NodeAlerts } from './ledger/node-alerts';
import { NodeRecords } from './ledger/node-records';

export { expiresAt, nodeKey } from './ledger/items';

export class DynamoRemediationLedger implements RemediationLedger {
  private readonly slots: CommandSlots;
  private readonly nodes: NodeRecords;
  private readonly alerts: NodeAlerts;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    const table = { client, tableName };
    this.slots = new CommandSlots(table);
    this.nodes = new NodeRecords(table);
    this.alerts = new NodeAlerts(table);
  }

  async readNodes(instanceIds: readonly string[]): Promise<Map<string, NodeLedgerRecord>> {
    const ids = [...new Set(instanceIds)];
    const slots = await this.slots.read();
    const result = await this.nodes.read(ids);
    for (const id of ids) {
      const record = result.get(id) ?? emptyRecord(id);
      const lock = slots.remediations.get(id);
      if (lock) record.lock = lock;
      result.set(id, record);
    }
    return result;
  }

  async readInFlight(): Promise<InFlightState> {
    const slots = await this.slots.read();
    return { remediations: slots.remediations.size, reboots: slots.reboots, locks: [...slots.remediations.values()] };
  }

  acquireLock(request: LockRequest): Promise<LockAcquireResult> {
    return this.slots.acquire(request);
  }

  async prepareSend(lock: CommandLock, token: string, at: Date, windowHours: number): Promise<boolean> {
    const sentAt = at.toISOString();
    if (!(await this.slots.writeSendToken(lock, token, sentAt))) return false;
    lock.sendToken = token;
    lock.sentAt = sentAt;
    // Counted before the call: whatever happens to the reply (or to this Lambda), the attempt is on record.
    await this.nodes.recordAttempts(lock.instanceId, lock.causes, at, windowHours);
    return true;
  }

  forgetAttempts(instanceId: string, causes: readonly CauseCode[], at: string): Promise<void> {
    return this.nodes.forgetAttempts(instanceId, causes, at);
  }

  attachCommand(lock: CommandLock, commandId: string): Promise<void> {
    return this.slots.attachCommand(lock, commandId);
  }

  // Cooldown first, slot second: whoever takes the node's next lock re-reads the node after taking
  // it (triage acting), so it always sees the end of the command whose slot it took over.
  async releaseLock(lock: CommandLock, outcome: { commandEnded: boolean; at: Date }): Promise<boolean> {
    if (outcome.commandEnded) await this.nodes.markCommandEnded(lock.instanceId, outcome.at);
    const released = await this.slots.remove(lock.instanceId, 'remediations.#node.lockToken = :match', lock.lockToken);
    return released !== null;
  }

  async releaseByCommand(instanceId: string, commandId: string, endedAt: Date): Promise<CommandLock | null> {
    const holder = (await this.slots.read()).remediations.get(instanceId);
    if (holder?.commandId !== commandId) return null;
    await this.nodes.markCommandEnded(instanceId, endedAt);
    return this.slots.remove(instanceId, 'remediations.#node.commandId = :match', commandId);
  }

  recordAttempts(instanceId: string, causes: readonly CauseCode[], at: Date, windowHours: number): Promise<void> {
    return this.nodes.recordAttempts(instanceId, causes, at, windowHours);
  }

  claimAlert(instanceId: string, key: string, fingerprint: string, now: Date, repeatHours: number): Promise<boolean> {
    return this.alerts.claimAlert(instanceId, key, fingerprint, now, repeatHours);
  }

  forgetAlert(instanceId: string, key: string, fingerprint: string): Promise<void> {
    return this.alerts.forgetAlert(instanceId, key, fingerprint);
  }

  markOpenCauses(instanceId: string, causes: readonly CauseCode[]): Promise<void> {
    return this.alerts.markOpenCauses(instanceId, causes);
  }

  takeOpenCauses(instanceId: string): Promise<CauseCode[]> {
    return this.alerts.takeOpenCauses(instanceId);
  }

  recordEvaluation(record: EvaluationRecord): Promise<void> {
    return this.nodes.recordEvaluation(record);
  }

  notePatchCommandFailed(instanceId: string, at: Date): Promise<void> {
    return this.nodes.notePatchCommandFailed(instanceId, at);
  }

  recordCheck(instanceId: string, at: Date): Promise<void> {
    return this.nodes.recordCheck(instanceId, at);
  }
}
