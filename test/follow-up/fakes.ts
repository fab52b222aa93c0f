/** In-memory stand-in for the ledger's lock part (the DynamoDB ledger has its own dynalite tests). */
import type { CommandLock, NodeLedgerRecord, RemediationLedger } from '../../lambdas/ports/ledger';

export class InMemoryLockLedger implements Pick<RemediationLedger, 'readNodes' | 'releaseByCommand' | 'releaseLock' | 'attachCommand' | 'notePatchCommandFailed'> {
  readonly records = new Map<string, NodeLedgerRecord>();
  /** Every failed patch command end the follow-up noted, in order. */
  readonly notedFailures: Array<{ instanceId: string; at: string }> = [];

  hold(lock: CommandLock): void {
    this.records.set(lock.instanceId, { instanceId: lock.instanceId, attempts: {}, alerts: {}, openCauses: [], lock });
  }

  async readNodes(instanceIds: readonly string[]): Promise<Map<string, NodeLedgerRecord>> {
    return new Map(instanceIds.flatMap((id) => (this.records.has(id) ? [[id, structuredClone(this.records.get(id)!)] as const] : [])));
  }

  async releaseByCommand(instanceId: string, commandId: string, endedAt: Date): Promise<CommandLock | null> {
    const record = this.records.get(instanceId);
    if (!record?.lock || record.lock.commandId !== commandId) return null;
    const lock = record.lock;
    delete record.lock;
    record.lastCommandEndedAt = endedAt.toISOString();
    return lock;
  }

  async notePatchCommandFailed(instanceId: string, at: Date): Promise<void> {
    this.notedFailures.push({ instanceId, at: at.toISOString() });
    const record = this.records.get(instanceId);
    if (record) record.patchCommandFailedSeenAt = at.toISOString();
  }

  async attachCommand(lock: CommandLock, commandId: string): Promise<void> {
    const record = this.records.get(lock.instanceId);
    if (record?.lock?.lockToken === lock.lockToken) record.lock.commandId = commandId;
  }

  async releaseLock(lock: CommandLock, outcome: { commandEnded: boolean; at: Date }): Promise<boolean> {
    const record = this.records.get(lock.instanceId);
    if (!record?.lock || record.lock.lockToken !== lock.lockToken) return false;
    delete record.lock;
    if (outcome.commandEnded) record.lastCommandEndedAt = outcome.at.toISOString();
    return true;
  }
}
