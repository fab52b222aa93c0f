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
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { DeferralGuard } from '../domain/alerts/types';
import { CAUSE_CODES, type CauseCode, type RemediationAction } from '../domain/types';
import type {
  AlertMark,
  CommandLock,
  EvaluationRecord,
  InFlightState,
  LockAcquireResult,
  LockRequest,
  NodeLedgerRecord,
  RemediationLedger,
} from '../ports';

const SLOTS_KEY = { pk: 'ACCOUNT', sk: 'IN_FLIGHT' } as const;
/** BatchGetItem reads at most 100 keys per call (DynamoDB API reference). */
const BATCH_GET_MAX = 100;
/** Node items expire when nothing happened to them for this long (DynamoDB TTL). */
const NODE_TTL_DAYS = 35;

export function nodeKey(instanceId: string): { pk: string; sk: string } {
  return { pk: `NODE#${instanceId}`, sk: 'STATE' };
}

export class DynamoRemediationLedger implements RemediationLedger {
  private slotsReady: Promise<void> | null = null;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readNodes(instanceIds: readonly string[]): Promise<Map<string, NodeLedgerRecord>> {
    const ids = [...new Set(instanceIds)];
    const result = new Map<string, NodeLedgerRecord>();
    const slots = await this.readSlots();
    for (let start = 0; start < ids.length; start += BATCH_GET_MAX) {
      let keys: Array<Record<string, string>> = ids.slice(start, start + BATCH_GET_MAX).map(nodeKey);
      // UnprocessedKeys come back under throttling: read them again until none are left.
      for (let round = 0; keys.length > 0; round += 1) {
        if (round > 0) await sleep(Math.min(1000, 50 * 2 ** round));
        if (round > 8) throw new Error(`ledger BatchGet left ${keys.length} key(s) unprocessed`);
        const response = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of response.Responses?.[this.tableName] ?? []) {
          const record = toNodeRecord(item);
          result.set(record.instanceId, record);
        }
        keys = (response.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, string>>;
      }
    }
    for (const id of ids) {
      const record = result.get(id) ?? emptyRecord(id);
      const lock = slots.remediations.get(id);
      if (lock) record.lock = lock;
      result.set(id, record);
    }
    return result;
  }

  async readInFlight(): Promise<InFlightState> {
    const slots = await this.readSlots();
    return { remediations: slots.remediations.size, reboots: slots.reboots, locks: [...slots.remediations.values()] };
  }

  async acquireLock(request: LockRequest): Promise<LockAcquireResult> {
    await this.ensureSlots();
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
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
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
    const slots = await this.readSlots();
    const holder = slots.remediations.get(request.instanceId);
    if (holder) return { acquired: false, reason: 'IN_FLIGHT', holder };
    if (slots.remediations.size >= request.maxRemediationsInFlight) return { acquired: false, reason: 'REMEDIATION_CAP' };
    if (request.reboot && slots.reboots >= request.maxRebootsInFlight) return { acquired: false, reason: 'REBOOT_CAP' };
    // The slot freed between the failed write and the read: report the cap, the next event retries.
    return { acquired: false, reason: 'REMEDIATION_CAP' };
  }

  async prepareSend(lock: CommandLock, token: string, at: Date, windowHours: number): Promise<boolean> {
    const sentAt = at.toISOString();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: SLOTS_KEY,
          UpdateExpression: 'SET remediations.#node.sendToken = :sendToken, remediations.#node.sentAt = :sentAt',
          // Only this exact lock, and only once: a token already written means a send was attempted.
          ConditionExpression: 'remediations.#node.lockToken = :token AND attribute_not_exists(remediations.#node.sendToken)',
          ExpressionAttributeNames: { '#node': lock.instanceId },
          ExpressionAttributeValues: { ':sendToken': token, ':sentAt': sentAt, ':token': lock.lockToken },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    lock.sendToken = token;
    lock.sentAt = sentAt;
    // Counted before the call: whatever happens to the reply (or to this Lambda), the attempt is on record.
    await this.recordAttempts(lock.instanceId, lock.causes, at, windowHours);
    return true;
  }

  async forgetAttempts(instanceId: string, causes: readonly CauseCode[], at: string): Promise<void> {
    if (causes.length === 0) return;
    const current = (await this.readNodes([instanceId])).get(instanceId) ?? emptyRecord(instanceId);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    causes.forEach((cause, index) => {
      const times = current.attempts[cause] ?? [];
      const position = times.indexOf(at);
      if (position < 0) return;
      names[`#a${index}`] = `attempts_${cause}`;
      values[`:a${index}`] = [...times.slice(0, position), ...times.slice(position + 1)];
      sets.push(`#a${index} = :a${index}`);
    });
    if (sets.length === 0) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: nodeKey(instanceId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async attachCommand(lock: CommandLock, commandId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
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

  // Cooldown first, slot second: whoever takes the node's next lock re-reads the node after taking
  // it (triage acting), so it always sees the end of the command whose slot it took over.
  async releaseLock(lock: CommandLock, outcome: { commandEnded: boolean; at: Date }): Promise<boolean> {
    if (outcome.commandEnded) await this.markCommandEnded(lock.instanceId, outcome.at);
    const released = await this.removeSlot(lock.instanceId, 'remediations.#node.lockToken = :match', lock.lockToken);
    return released !== null;
  }

  async releaseByCommand(instanceId: string, commandId: string, endedAt: Date): Promise<CommandLock | null> {
    const holder = (await this.readSlots()).remediations.get(instanceId);
    if (holder?.commandId !== commandId) return null;
    await this.markCommandEnded(instanceId, endedAt);
    return this.removeSlot(instanceId, 'remediations.#node.commandId = :match', commandId);
  }

  async recordAttempts(instanceId: string, causes: readonly CauseCode[], at: Date, windowHours: number): Promise<void> {
    if (causes.length === 0) return;
    const current = (await this.readNodes([instanceId])).get(instanceId) ?? emptyRecord(instanceId);
    const windowStart = at.getTime() - windowHours * 3_600_000;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':expires': expiresAt(at) };
    const sets = ['expiresAt = :expires'];
    causes.forEach((cause, index) => {
      // Runs under the node's lock, so this read-modify-write has no concurrent writer for the node.
      const kept = (current.attempts[cause] ?? []).filter((time) => Date.parse(time) >= windowStart);
      names[`#a${index}`] = `attempts_${cause}`;
      values[`:a${index}`] = [...kept, at.toISOString()];
      sets.push(`#a${index} = :a${index}`);
    });
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: nodeKey(instanceId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async claimAlert(instanceId: string, key: string, fingerprint: string, now: Date, repeatHours: number): Promise<boolean> {
    const mark: AlertMark = { fingerprint, sentAt: now.toISOString() };
    const cutoff = new Date(now.getTime() - repeatHours * 3_600_000).toISOString();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: nodeKey(instanceId),
          UpdateExpression: 'SET #alert = :mark, expiresAt = :expires',
          // ISO-8601 UTC strings compare in time order.
          ConditionExpression: 'attribute_not_exists(#alert) OR #alert.fingerprint <> :fingerprint OR #alert.sentAt < :cutoff',
          ExpressionAttributeNames: { '#alert': `alert_${key}` },
          ExpressionAttributeValues: { ':mark': mark, ':fingerprint': fingerprint, ':cutoff': cutoff, ':expires': expiresAt(now) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async forgetAlert(instanceId: string, key: string, fingerprint: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: nodeKey(instanceId),
          UpdateExpression: 'REMOVE #alert',
          ConditionExpression: '#alert.fingerprint = :fingerprint',
          ExpressionAttributeNames: { '#alert': `alert_${key}` },
          ExpressionAttributeValues: { ':fingerprint': fingerprint },
        }),
      );
    } catch (error) {
      // Someone else claimed a newer fingerprint meanwhile: theirs stays.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async markOpenCauses(instanceId: string, causes: readonly CauseCode[]): Promise<void> {
    if (causes.length === 0) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: nodeKey(instanceId),
        UpdateExpression: 'ADD openCauses :causes',
        ExpressionAttributeValues: { ':causes': new Set(causes) },
      }),
    );
  }

  async takeOpenCauses(instanceId: string): Promise<CauseCode[]> {
    try {
      const response = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: nodeKey(instanceId),
          UpdateExpression: 'REMOVE openCauses',
          ConditionExpression: 'attribute_exists(openCauses)',
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return causeList(response.Attributes?.['openCauses']);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return [];
      throw error;
    }
  }

  async recordEvaluation(record: EvaluationRecord): Promise<void> {
    const at = record.at.toISOString();
    const sets = ['firstSeenAt = if_not_exists(firstSeenAt, :at)', 'lastEvaluatedAt = :at', 'lastCheckedAt = :at', 'expiresAt = :expires'];
    const removes: string[] = [];
    const values: Record<string, unknown> = { ':at': at, ':expires': expiresAt(record.at) };
    if (record.summaryFingerprint !== undefined) {
      sets.push('summaryFingerprint = :fingerprint');
      values[':fingerprint'] = record.summaryFingerprint;
    }
    if (record.deferral === null) removes.push('deferral');
    if (record.deferral) {
      // Keep `since` while the same guard keeps deferring (how long a node has been waiting).
      const current = (await this.getNodeItem(record.instanceId))?.['deferral'] as { guard?: string; since?: string } | undefined;
      const since = current?.guard === record.deferral.guard && current.since ? current.since : at;
      sets.push('deferral = :deferral');
      values[':deferral'] = { ...record.deferral, since };
    }
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: nodeKey(record.instanceId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async recordCheck(instanceId: string, at: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: nodeKey(instanceId),
          // The TTL keeps counting from the last evaluation: a node SSM no longer knows still expires.
          UpdateExpression: 'SET lastCheckedAt = :at',
          // Only a node already evaluated: a check alone never creates a record.
          ConditionExpression: 'attribute_exists(lastEvaluatedAt)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  // -------------------------------------------------------------------------------------------

  private async getNodeItem(instanceId: string): Promise<Record<string, unknown> | undefined> {
    const response = await this.client.send(new GetCommand({ TableName: this.tableName, Key: nodeKey(instanceId), ConsistentRead: true }));
    return response.Item;
  }

  /** Moves lastCommandEndedAt forward only (a late duplicate event never shortens a cooldown). */
  private async markCommandEnded(instanceId: string, at: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: nodeKey(instanceId),
          UpdateExpression: 'SET lastCommandEndedAt = :at, expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(lastCommandEndedAt) OR lastCommandEndedAt < :at',
          ExpressionAttributeValues: { ':at': at.toISOString(), ':expires': expiresAt(at) },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Removes the node's slot (and reboot slot) if `condition` holds; returns the removed lock. */
  private async removeSlot(instanceId: string, condition: string, match: string): Promise<CommandLock | null> {
    try {
      const response = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
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

  private async readSlots(): Promise<{ remediations: Map<string, CommandLock>; reboots: number }> {
    const response = await this.client.send(new GetCommand({ TableName: this.tableName, Key: SLOTS_KEY, ConsistentRead: true }));
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
  private ensureSlots(): Promise<void> {
    this.slotsReady ??= this.client
      .send(
        new PutCommand({
          TableName: this.tableName,
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

function emptyRecord(instanceId: string): NodeLedgerRecord {
  return { instanceId, attempts: {}, alerts: {}, openCauses: [] };
}

function toNodeRecord(item: Record<string, unknown>): NodeLedgerRecord {
  const instanceId = String(item['pk']).slice('NODE#'.length);
  const record = emptyRecord(instanceId);
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith('attempts_')) {
      const cause = name.slice('attempts_'.length) as CauseCode;
      if (CAUSE_CODES.includes(cause) && Array.isArray(value)) record.attempts[cause] = value.map(String);
    } else if (name.startsWith('alert_') && isAlertMark(value)) {
      record.alerts[name.slice('alert_'.length)] = { fingerprint: value.fingerprint, sentAt: value.sentAt };
    }
  }
  if (typeof item['firstSeenAt'] === 'string') record.firstSeenAt = item['firstSeenAt'];
  if (typeof item['lastCommandEndedAt'] === 'string') record.lastCommandEndedAt = item['lastCommandEndedAt'];
  if (typeof item['summaryFingerprint'] === 'string') record.summaryFingerprint = item['summaryFingerprint'];
  if (typeof item['lastEvaluatedAt'] === 'string') record.lastEvaluatedAt = item['lastEvaluatedAt'];
  if (typeof item['lastCheckedAt'] === 'string') record.lastCheckedAt = item['lastCheckedAt'];
  record.openCauses = causeList(item['openCauses']);
  const deferral = item['deferral'] as { guard?: unknown; reason?: unknown; since?: unknown } | undefined;
  if (deferral && typeof deferral.guard === 'string' && typeof deferral.since === 'string') {
    record.deferral = { guard: deferral.guard as DeferralGuard, reason: String(deferral.reason ?? ''), since: deferral.since };
  }
  return record;
}

function toLock(value: unknown): CommandLock | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const raw = value as Record<string, unknown>;
  if (typeof raw['instanceId'] !== 'string' || typeof raw['lockToken'] !== 'string') return undefined;
  return {
    instanceId: raw['instanceId'],
    lockToken: raw['lockToken'],
    action: String(raw['action']) as RemediationAction,
    causes: Array.isArray(raw['causes']) ? (raw['causes'].map(String) as CauseCode[]) : [],
    reboot: raw['reboot'] === true,
    acquiredAt: String(raw['acquiredAt']),
    ...(typeof raw['commandId'] === 'string' ? { commandId: raw['commandId'] } : {}),
    ...(typeof raw['sendToken'] === 'string' ? { sendToken: raw['sendToken'] } : {}),
    ...(typeof raw['sentAt'] === 'string' ? { sentAt: raw['sentAt'] } : {}),
  };
}

function isAlertMark(value: unknown): value is AlertMark {
  return !!value && typeof value === 'object' && typeof (value as AlertMark).fingerprint === 'string' && typeof (value as AlertMark).sentAt === 'string';
}

function causeList(value: unknown): CauseCode[] {
  const list = value instanceof Set ? [...(value as Set<unknown>)] : Array.isArray(value) ? value : [];
  return list.map(String).filter((code): code is CauseCode => (CAUSE_CODES as readonly string[]).includes(code)).sort();
}

export function expiresAt(at: Date): number {
  return Math.floor(at.getTime() / 1000) + NODE_TTL_DAYS * 86_400;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
