/**
 * The `ACCOUNT` / `IN_FLIGHT` item: one map entry per held lock (`remediations`) and per reboot
 * (`reboots`). Every write is one conditional UpdateItem on this item, so taking a node's lock and
 * checking both caps is atomic (see `dynamo-ledger.ts`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { CommandLock, LockAcquireResult, LockRequest } from '../../ports/ledger';
import { SLOTS_KEY, toLock, type LedgerTable } from './items';

export interface SlotsState {
  remediations: Map<string, CommandLock>;
  reboots: number;
}

export class CommandSlots {
  private slotsReady: Promise<void> | null = null;

  constructor(private readonly table: LedgerTable) {}

  async acquire(request: LockRequest): Promise<LockAcquireResult> {
    await this.ensure();
    const lock: CommandLock = {
      instanceId: request.instanceId,
      lockToken: randomUUID(),
      action: request.action,
      causes: [...request.causes],
      reboot: request.reboot,
      acquiredAt: request.now.toISOString(),
    };
    const conditions = ['attribute_not_exists(remediations.#node)', 'size(remediations) < :maxRemediations'];
    const values: Record<string, unknown> = { ':lock': lock, ':maxRemediations': request.maxRemediationsInFlight };
    let update = 'SET remediations.#node = :lock';
    if (request.reboot) {
      conditions.push('size(reboots) < :maxReboots');
      values[':maxReboots'] = request.maxRebootsInFlight;
      values[':token'] = lock.lockToken;
      update += ', reboots.#node = :token';
    }
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: SLOTS_KEY,
          UpdateExpression: update,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: { '#node': request.instanceId },
          ExpressionAttributeValues: values,
        }),
      );
      return { acquired: true, lock };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // Lost: say why from a fresh read (the order matches the condition's).
    const slots = await this.read();
    const holder = slots.remediations.get(request.instanceId);
    if (holder) return { acquired: false, reason: 'IN_FLIGHT', holder };
    if (slots.remediations.size >= request.maxRemediationsInFlight) return { acquired: false, reason: 'REMEDIATION_CAP' };
    if (request.reboot && slots.reboots >= request.maxRebootsInFlight) return { acquired: false, reason: 'REBOOT_CAP' };
    // The slot freed between the failed write and the read: report the cap, the next event retries.
    return { acquired: false, reason: 'REMEDIATION_CAP' };
  }

  /** Writes the send token on this exact lock, once. False when the lock is gone or a send was already attempted. */
  async writeSendToken(lock: CommandLock, token: string, sentAt: string): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: SLOTS_KEY,
          UpdateExpression: 'SET remediations.#node.sendToken = :sendToken, remediations.#node.sentAt = :sentAt',
          // Only this exact lock, and only once: a token already written means a send was attempted.
          ConditionExpression: 'remediations.#node.lockToken = :token AND attribute_not_exists(remediations.#node.sendToken)',
          ExpressionAttributeNames: { '#node': lock.instanceId },
          ExpressionAttributeValues: { ':sendToken': token, ':sentAt': sentAt, ':token': lock.lockToken },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async attachCommand(lock: CommandLock, commandId: string): Promise<void> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: SLOTS_KEY,
          UpdateExpression: 'SET remediations.#node.commandId = :commandId',
          ConditionExpression: 'remediations.#node.lockToken = :token',
          ExpressionAttributeNames: { '#node': lock.instanceId },
          ExpressionAttributeValues: { ':commandId': commandId, ':token': lock.lockToken },
        }),
      );
      lock.commandId = commandId;
    } catch (error) {
      // The sweep released it as stale meanwhile: nothing to attach to; the follow-up will find no lock.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Removes the node's slot (and reboot slot) if `condition` holds; returns the removed lock. */
  async remove(instanceId: string, condition: string, match: string): Promise<CommandLock | null> {
    try {
      const response = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: SLOTS_KEY,
          UpdateExpression: 'REMOVE remediations.#node, reboots.#node',
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#node': instanceId },
          ExpressionAttributeValues: { ':match': match },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      const old = response.Attributes?.['remediations'] as Record<string, unknown> | undefined;
      return toLock(old?.[instanceId]) ?? null;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }

  async read(): Promise<SlotsState> {
    const response = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: SLOTS_KEY, ConsistentRead: true }),
    );
    const remediations = new Map<string, CommandLock>();
    const raw = (response.Item?.['remediations'] ?? {}) as Record<string, unknown>;
    for (const value of Object.values(raw)) {
      const lock = toLock(value);
      if (lock) remediations.set(lock.instanceId, lock);
    }
    const reboots = Object.keys((response.Item?.['reboots'] ?? {}) as Record<string, unknown>).length;
    return { remediations, reboots };
  }

  /** Creates the slots item once (both maps empty) so `size()` and map-path SETs have something to work on. */
  private ensure(): Promise<void> {
    this.slotsReady ??= this.table.client
      .send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: { ...SLOTS_KEY, remediations: {}, reboots: {} },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => {
          if (error instanceof ConditionalCheckFailedException) return;
          this.slotsReady = null;
          throw error;
        },
      );
    return this.slotsReady;
  }
}
