/**
 * Pins the cause table of domain/detail-plan.ts: a detail call is deferred only where no cause rule
 * can need it. Runs every cause rule over the reviewed examples (one per cause code) with and
 * without each deferrable part.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnose } from '../../lambdas/domain/diagnose';
import {
  associationItemsNeedStatuses,
  associationStatusesNeeded,
  COMMAND_HISTORY_REREAD_HOURS,
  commandHistoryClearPoint,
  commandHistoryNeeded,
  timeMayChangeDiagnosis,
  unchangedDetailHours,
} from '../../lambdas/domain/detail-plan';
import { hasFailedPatchCommand } from '../../lambdas/domain/causes/patch-operation-failed';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { parseSnapshot } from '../../lambdas/domain/snapshot-schema';
import type { InstanceInformation, NodeSnapshot } from '../../lambdas/domain/types';
import type { NodeLedgerRecord } from '../../lambdas/ports/ledger';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const files = readdirSync(EXAMPLES).filter((file) => file.endsWith('.json')).sort();
const load = (file: string): NodeSnapshot => parseSnapshot(JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')), file);
const codes = (snapshot: NodeSnapshot) => diagnose(snapshot, DEFAULT_SETTINGS).causes.map((cause) => cause.code).sort();

/** The statuses as the reader would leave them: deferred when the summary and the items say so. */
function asReaderDefers(snapshot: NodeSnapshot): NodeSnapshot {
  if (associationStatusesNeeded(snapshot.instanceInformation) || associationItemsNeedStatuses(snapshot.complianceItems)) return snapshot;
  const rest: NodeSnapshot = { ...snapshot, deferredDetail: ['associationStatuses'] };
  delete rest.associationStatuses;
  return rest;
}

describe('association statuses', () => {
  test.each(files)('%s: deferring them as the summary allows changes no cause', (file) => {
    const snapshot = load(file);
    expect(codes(asReaderDefers(snapshot))).toEqual(codes(snapshot));
  });

  test('the association examples are read: their summary says so', () => {
    for (const file of ['association-failed.json', 'inventory-association-failed.json']) {
      expect(associationStatusesNeeded(load(file).instanceInformation)).toBe(true);
    }
  });

  test('every summary signal short of Success reads them', () => {
    const info = (extra: Partial<InstanceInformation>): InstanceInformation => ({ InstanceId: 'i-0123456789abcdef0', AssociationStatus: 'Success', ...extra });
    expect(associationStatusesNeeded(info({}))).toBe(false);
    expect(associationStatusesNeeded(info({ AssociationStatus: 'SUCCESS' }))).toBe(false);
    expect(associationStatusesNeeded(null)).toBe(true);
    expect(associationStatusesNeeded(info({ AssociationStatus: undefined }))).toBe(true);
    for (const status of ['Failed', 'Pending', 'TimedOut', '']) expect(associationStatusesNeeded(info({ AssociationStatus: status }))).toBe(true);
    // SSM API reference, InstanceAggregatedAssociationOverview.
    expect(associationStatusesNeeded(info({ AssociationOverview: { DetailedStatus: 'Success', InstanceAssociationStatusAggregatedCount: { Success: 3 } } }))).toBe(false);
    expect(associationStatusesNeeded(info({ AssociationOverview: { DetailedStatus: 'Failed' } }))).toBe(true);
    expect(associationStatusesNeeded(info({ AssociationOverview: { InstanceAssociationStatusAggregatedCount: { Success: 2, Failed: 1 } } }))).toBe(true);
    expect(associationStatusesNeeded(info({ AssociationOverview: { InstanceAssociationStatusAggregatedCount: { Success: 2, Pending: 0 } } }))).toBe(false);
    expect(associationStatusesNeeded(info({ AssociationOverview: 'garbled' }))).toBe(true);
    // A run after the last successful one did not succeed.
    expect(associationStatusesNeeded(info({ LastAssociationExecutionDate: '2026-11-20T13:45:00Z', LastSuccessfulAssociationExecutionDate: '2026-11-20T13:15:00Z' }))).toBe(true);
    expect(associationStatusesNeeded(info({ LastAssociationExecutionDate: '2026-11-20T13:45:00Z' }))).toBe(true);
    expect(associationStatusesNeeded(info({ LastAssociationExecutionDate: '2026-11-20T13:45:00Z', LastSuccessfulAssociationExecutionDate: '2026-11-20T13:45:00Z' }))).toBe(false);
  });

  test('a failed patch association (PATCH_OPERATION_FAILED) is never hidden: its roll-up is not Success', () => {
    const snapshot = load('missing-patches.json');
    const failedRun: NodeSnapshot = {
      ...snapshot,
      instanceInformation: { ...snapshot.instanceInformation!, AssociationStatus: 'Failed' },
      associationStatuses: [
        ...(snapshot.associationStatuses ?? []),
        { AssociationId: 'a-1', Name: 'AWS-RunPatchBaseline', Status: 'Failed', DetailedStatus: 'Failed', ExecutionDate: '2026-11-20T13:00:00.000Z' },
      ],
    };
    expect(codes(failedRun)).toContain('PATCH_OPERATION_FAILED');
    expect(codes(asReaderDefers(failedRun))).toEqual(codes(failedRun));
  });

  test('the item cross-check: a NON_COMPLIANT association of another document reads them, a patching one does not', () => {
    const item = (documentName: string) => ({ ComplianceType: 'Association', Status: 'NON_COMPLIANT', Id: 'a-2', Details: { DocumentName: documentName } });
    expect(associationItemsNeedStatuses([item('AmazonCloudWatch-ManageAgent')])).toBe(true);
    expect(associationItemsNeedStatuses([item('AWS-GatherSoftwareInventory')])).toBe(true);
    expect(associationItemsNeedStatuses([item('AWS-RunPatchBaselineAssociation')])).toBe(false);
    expect(associationItemsNeedStatuses([{ ...item('AmazonCloudWatch-ManageAgent'), Status: 'COMPLIANT' }])).toBe(false);
    expect(associationItemsNeedStatuses(undefined)).toBe(false);
  });
});

describe('command history', () => {
  test.each(files)('%s: only PATCH_OPERATION_FAILED reads it', (file) => {
    const snapshot = load(file);
    const without: NodeSnapshot = { ...snapshot };
    delete without.commandInvocations;
    const lost = codes(snapshot).filter((code) => !codes(without).includes(code));
    expect(lost).toEqual(hasFailedPatchCommand(snapshot) ? ['PATCH_OPERATION_FAILED'] : []);
    expect(codes(without).filter((code) => !codes(snapshot).includes(code))).toEqual([]);
  });

  test('the example with a failed command is the one that keeps its history read', () => {
    expect(files.filter((file) => hasFailedPatchCommand(load(file)))).toEqual(['patch-operation-failed.json']);
  });

  const now = new Date('2026-11-20T14:00:00.000Z');
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();

  test('read when the ledger never saw it clear, when it is old, or when a failed patch command was noted since', () => {
    expect(commandHistoryNeeded(undefined, now)).toBe(true);
    expect(commandHistoryNeeded({}, now)).toBe(true);
    expect(commandHistoryNeeded({ commandHistoryClearAt: 'garbled' }, now)).toBe(true);
    expect(commandHistoryNeeded({ commandHistoryClearAt: hoursAgo(1) }, now)).toBe(false);
    expect(commandHistoryNeeded({ commandHistoryClearAt: hoursAgo(COMMAND_HISTORY_REREAD_HOURS) }, now)).toBe(true);
    expect(commandHistoryNeeded({ commandHistoryClearAt: hoursAgo(2), patchCommandFailedSeenAt: hoursAgo(1) }, now)).toBe(true);
    expect(commandHistoryNeeded({ commandHistoryClearAt: hoursAgo(2), patchCommandFailedSeenAt: hoursAgo(2) }, now)).toBe(true);
    expect(commandHistoryNeeded({ commandHistoryClearAt: hoursAgo(1), patchCommandFailedSeenAt: hoursAgo(2) }, now)).toBe(false);
    // Our own command that ended (Success: nothing noted) adds no failure to the history.
    const ours: NodeLedgerRecord = { instanceId: 'i-1', attempts: {}, alerts: {}, openCauses: [], commandHistoryClearAt: hoursAgo(2), lastCommandEndedAt: hoursAgo(1) };
    expect(commandHistoryNeeded(ours, now)).toBe(false);
  });

  test('a patch operation that ended after failures are noted is a clear point, bounded like a read', () => {
    const since = hoursAgo(30);
    // No record at all, the operation ended after the notes started: nothing can have failed unnoticed since.
    expect(commandHistoryNeeded(undefined, now, { operationEndTime: hoursAgo(1), failureNotesSince: since })).toBe(false);
    // Not known since when failures are noted, or the operation ended before: read.
    expect(commandHistoryNeeded(undefined, now, { operationEndTime: hoursAgo(1) })).toBe(true);
    expect(commandHistoryNeeded(undefined, now, { operationEndTime: hoursAgo(31), failureNotesSince: since })).toBe(true);
    // Old operation: re-read like an old clear read; a failure noted after it: read.
    expect(commandHistoryNeeded(undefined, now, { operationEndTime: hoursAgo(COMMAND_HISTORY_REREAD_HOURS), failureNotesSince: since })).toBe(true);
    expect(commandHistoryNeeded({ patchCommandFailedSeenAt: hoursAgo(0.5) }, now, { operationEndTime: hoursAgo(1), failureNotesSince: since })).toBe(true);
    // A failure noted before the operation ended is not in the history read that starts there.
    expect(commandHistoryNeeded({ patchCommandFailedSeenAt: hoursAgo(2) }, now, { operationEndTime: hoursAgo(1), failureNotesSince: since })).toBe(false);
    // An end time from the future (beyond clock skew) or garbled is no clear point.
    expect(commandHistoryNeeded(undefined, now, { operationEndTime: new Date(now.getTime() + 3_600_000).toISOString(), failureNotesSince: since })).toBe(true);
    expect(commandHistoryNeeded(undefined, now, { operationEndTime: 'garbled', failureNotesSince: since })).toBe(true);
    // The later of the read and the operation counts.
    expect(commandHistoryClearPoint({ commandHistoryClearAt: hoursAgo(3) }, { operationEndTime: hoursAgo(2), failureNotesSince: since }, now)).toBe(Date.parse(hoursAgo(2)));
    expect(commandHistoryClearPoint({ commandHistoryClearAt: hoursAgo(1) }, { operationEndTime: hoursAgo(2), failureNotesSince: since }, now)).toBe(Date.parse(hoursAgo(1)));
    expect(commandHistoryClearPoint({}, {}, now)).toBeNaN();
  });
});

describe('unchanged summaries', () => {
  test('keep their evaluation alertRepeatHours, at most a day, never less than 2 x reverifyHours', () => {
    expect(unchangedDetailHours(DEFAULT_SETTINGS)).toBe(24);
    expect(unchangedDetailHours({ reverifyHours: 6, alertRepeatHours: 6 })).toBe(12);
    expect(unchangedDetailHours({ reverifyHours: 6, alertRepeatHours: 720 })).toBe(24);
    expect(unchangedDetailHours({ reverifyHours: 24, alertRepeatHours: 24 })).toBe(48);
  });

  const now = new Date('2026-11-20T14:00:00.000Z');
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
  const settings = { reverifyHours: 6, staleScanHours: 168 };
  const allSucceeded: InstanceInformation = { InstanceId: 'i-1', AssociationStatus: 'Success', AssociationOverview: { DetailedStatus: 'Success', InstanceAssociationStatusAggregatedCount: { Success: 2 } } };
  const pending: InstanceInformation = { InstanceId: 'i-1', AssociationStatus: 'Pending', AssociationOverview: { DetailedStatus: 'Pending', InstanceAssociationStatusAggregatedCount: { Pending: 1, Success: 1 } } };

  test('time turns a diagnosis: a scan that went stale, a new run under a cause tied to the last run, a pending association after 2 x reverifyHours', () => {
    // Scan 167 h old at the evaluation 2 h ago, 169 h now: PATCH_SCAN_STALE since.
    expect(timeMayChangeDiagnosis({ instanceInformation: allSucceeded, patchState: { OperationEndTime: hoursAgo(169) } }, { lastEvaluatedAt: hoursAgo(2) }, now, settings)).toBe(true);
    // Already stale at the evaluation, or still fresh: nothing turned.
    expect(timeMayChangeDiagnosis({ instanceInformation: allSucceeded, patchState: { OperationEndTime: hoursAgo(200) } }, { lastEvaluatedAt: hoursAgo(2) }, now, settings)).toBe(false);
    expect(timeMayChangeDiagnosis({ instanceInformation: allSucceeded, patchState: { OperationEndTime: hoursAgo(20) } }, { lastEvaluatedAt: hoursAgo(18) }, now, settings)).toBe(false);
    // A pending association may become stuck: the shorter bound.
    expect(timeMayChangeDiagnosis({ instanceInformation: pending, patchState: { OperationEndTime: hoursAgo(20) } }, { lastEvaluatedAt: hoursAgo(13) }, now, settings)).toBe(true);
    expect(timeMayChangeDiagnosis({ instanceInformation: pending, patchState: { OperationEndTime: hoursAgo(20) } }, { lastEvaluatedAt: hoursAgo(11) }, now, settings)).toBe(false);
    // A scan with the same counts keeps the fingerprint; it re-opens only causes tied to the last run's time.
    const rescanned = { instanceInformation: allSucceeded, patchState: { OperationEndTime: hoursAgo(1) } };
    expect(timeMayChangeDiagnosis(rescanned, { lastEvaluatedAt: hoursAgo(3), openCauses: ['MISSING_PATCHES'] }, now, settings)).toBe(false);
    expect(timeMayChangeDiagnosis(rescanned, { lastEvaluatedAt: hoursAgo(3), openCauses: ['PATCH_SCAN_STALE'] }, now, settings)).toBe(true);
    expect(timeMayChangeDiagnosis(rescanned, { lastEvaluatedAt: hoursAgo(3), openCauses: ['PATCH_OPERATION_FAILED'] }, now, settings)).toBe(true);
    expect(timeMayChangeDiagnosis(rescanned, { lastEvaluatedAt: hoursAgo(0.5), openCauses: ['PATCH_SCAN_STALE'] }, now, settings)).toBe(false);
  });
});
