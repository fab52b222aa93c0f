/**
 * The scheduled sweep: what no event will bring back.
 *  - Locks no event will settle (lock-reconciliation.ts): a lock without a command ID is matched to
 *    its command in SSM by its send token (adopted) or, when SSM provably has none, released; a lock
 *    older than `lockTimeoutMinutes` has its command's status read from SSM: ended -> settled as the
 *    follow-up would (alert on failure, cooldown), still running -> kept. Never presumed successful.
 *  - Deferred nodes: the calendar may be OPEN now, the caps may have room, the node may be old enough.
 *    Nodes whose deferral reason still holds right now (calendar still CLOSED, cap still full) are
 *    left alone: re-reading them would only defer them again and spend SSM read capacity.
 *  - Nodes not evaluated since their last command ended (plus a settle time for the compliance data):
 *    the command's own compliance events may have been lost. Re-evaluated once; if the node is still
 *    non-compliant, the triage's attempt cap stops any loop.
 *  - Nodes not read from SSM for `reverifyHours` (REVERIFY): most events cannot change compliance and
 *    are acknowledged without a read, so the periodic re-read happens here, 50 nodes per batched call,
 *    with the triage's unchanged-summary shortcut (no detail calls when nothing changed).
 * All re-evaluation goes through the triage use case (`evaluateNodes`). Work per run is bounded: pages
 * of the ledger scan, nodes per run and the Lambda's remaining time; the scan cursor carries over.
 */
import type { DeferralGuard } from '../domain/alerts/types';
import { blockedAccountGuards } from '../domain/policy/guards';
import { PAUSED_REMINDER_HOURS } from '../domain/policy/runtime-mode';
import type { AutopilotSettings } from '../domain/settings';
import type { CalendarReader } from '../ports/acting';
import type { PauseNotifier } from '../ports/alerts';
import type { FailureNotesRecord, NoticeLedger, RemediationLedger } from '../ports/ledger';
import type { Clock, OperationalSink, RuntimeModeSource } from '../ports/runtime';
import type { NodeEvaluator, SweepNodeState, SweepScanner } from '../ports/sweep';
import { reconcileLocks, type LockReconciliationDependencies } from './lock-reconciliation';
import { admitCapWaiting, isCapGuard, reverifyCutoff, sweepReasonOf, type SweepReason } from './sweep-selection';

export { admitCapWaiting, CAP_WAITERS_PER_FREE_SLOT, reverifyCutoff, SETTLE_MINUTES_AFTER_COMMAND, sweepReasonOf, type SweepReason } from './sweep-selection';

/** SSM read calls take up to 50 nodes (AWS-FACTS.md, "Limits"): evaluate in chunks of that size. */
export const EVALUATION_CHUNK = 50;

export interface SweepLimits {
  /** Items read per scan page. */
  pageSize: number;
  /** Scan pages per run. */
  maxPages: number;
  /** Nodes re-evaluated per run. */
  maxNodes: number;
  /** Stop starting new work when less than this many ms remain. */
  reserveMs: number;
}

/**
 * 2,000 nodes a run (40 chunks of 50, well inside the 5-minute function timeout) covers the periodic
 * re-read of ~48,000 nodes at the default 6 h `reverifyHours` and 15 min schedule; 40 pages of 500
 * items scan 20,000 ledger items a run, the cursor carrying larger tables over several runs.
 */
export const DEFAULT_SWEEP_LIMITS: SweepLimits = { pageSize: 500, maxPages: 40, maxNodes: 2000, reserveMs: 30_000 };

export interface SweepReport {
  staleLocksReleased: number;
  pagesRead: number;
  nodesScanned: number;
  candidates: Record<SweepReason, number>;
  /** Deferred nodes left alone because their reason still holds (calendar still CLOSED, cap still full). */
  stillBlocked: number;
  evaluated: number;
  evaluationFailures: number;
  /** True when the scan reached the end of the table in this run. */
  passComplete: boolean;
  /** Candidates left for the next run (node cap or time budget reached). */
  deferredToNextRun: number;
  /** The live mode was `paused`: nothing was scanned or evaluated. */
  paused?: { reminderSent: boolean };
}

/** The live mode and what a paused sweep needs for its daily reminder. */
export interface SweepLiveMode {
  source: RuntimeModeSource;
  /** The mode parameter's name, for the resume command in the reminder. */
  parameterName: string;
  notices: NoticeLedger;
  notifier: PauseNotifier;
}

export interface SweepDependencies extends Omit<LockReconciliationDependencies, 'settings'> {
  ledger: Pick<RemediationLedger, 'readInFlight' | 'releaseLock' | 'attachCommand' | 'forgetAttempts'>;
  scanner: SweepScanner;
  evaluator: NodeEvaluator;
  settings: Pick<
    AutopilotSettings,
    'lockTimeoutMinutes' | 'attemptWindowHours' | 'changeCalendarNames' | 'maxRemediationsInFlight' | 'maxRebootsInFlight' | 'reverifyHours'
  >;
  /**
   * When given, nodes deferred by a CLOSED calendar are not re-read while it is still CLOSED: during a
   * fleet-wide freeze that saves every deferred node's SSM reads on every run.
   */
  calendar?: CalendarReader;
  clock: Clock;
  sink: OperationalSink;
  limits?: Partial<SweepLimits>;
  /** When given and the live mode is `paused`: no scan, no lock release, no evaluation, one reminder a day. */
  liveMode?: SweepLiveMode;
  /**
   * Recorded on the first run: the follow-up (same stack) notes failed patch command ends from now on
   * (domain/detail-plan.ts). Paused or not: the follow-up notes them in either mode.
   */
  failureNotes?: FailureNotesRecord;
}

export class LedgerSweep {
  private readonly limits: SweepLimits;

  constructor(private readonly deps: SweepDependencies) {
    this.limits = { ...DEFAULT_SWEEP_LIMITS, ...deps.limits };
  }

  /** Bookkeeping: a failure is counted and retried by the next run; until then histories are simply read. */
  private async startFailureNotes(now: Date): Promise<void> {
    if (!this.deps.failureNotes) return;
    try {
      await this.deps.failureNotes.start(now);
    } catch (error) {
      this.deps.sink.count('BookkeepingFailures');
      this.deps.sink.warn('could not record since when failed patch commands are noted', { error: String(error) });
    }
  }

  async run(remainingMs: () => number = () => Number.POSITIVE_INFINITY): Promise<SweepReport> {
    const { sink, clock } = this.deps;
    const now = clock.now();
    const report: SweepReport = {
      staleLocksReleased: 0,
      pagesRead: 0,
      nodesScanned: 0,
      candidates: { STALE_LOCK: 0, DEFERRED: 0, NOT_EVALUATED_AFTER_COMMAND: 0, REVERIFY: 0 },
      stillBlocked: 0,
      evaluated: 0,
      evaluationFailures: 0,
      passComplete: false,
      deferredToNextRun: 0,
    };
    const queue = new Map<string, SweepReason>();
    await this.startFailureNotes(now);
    if (this.deps.liveMode && (await this.deps.liveMode.source.current()) === 'paused') {
      report.paused = { reminderSent: await this.remindPaused(this.deps.liveMode, now) };
      sink.info('sweep skipped: the autopilot is paused', { ...report });
      return report;
    }

    const { released, inFlight } = await this.releaseStaleLocks(now);
    const stillBlocked = await this.blockedDeferrals(now, inFlight);
    for (const instanceId of released) {
      queue.set(instanceId, 'STALE_LOCK');
      report.staleLocksReleased += 1;
      report.candidates.STALE_LOCK += 1;
    }

    // Nodes waiting for a cap that has room now: only as many as could take a slot are re-read.
    const capWaiting: SweepNodeState[] = [];
    let cursor = await this.deps.scanner.loadCursor();
    while (report.pagesRead < this.limits.maxPages && queue.size < this.limits.maxNodes && remainingMs() > this.limits.reserveMs) {
      const page = await this.deps.scanner.scanPage({
        pageSize: this.limits.pageSize,
        checkedBefore: reverifyCutoff(now, this.deps.settings),
        ...(cursor ? { cursor } : {}),
      });
      report.pagesRead += 1;
      report.nodesScanned += page.nodes.length;
      for (const node of page.nodes) {
        const reason = sweepReasonOf(node, now, this.deps.settings);
        if (!reason || queue.has(node.instanceId)) continue;
        if (reason === 'DEFERRED' && node.deferral && stillBlocked.has(node.deferral.guard)) {
          report.stillBlocked += 1;
          continue;
        }
        if (reason === 'DEFERRED' && node.deferral && isCapGuard(node.deferral.guard)) {
          capWaiting.push(node);
          continue;
        }
        queue.set(node.instanceId, reason);
        report.candidates[reason] += 1;
      }
      cursor = page.cursor;
      if (!cursor) {
        report.passComplete = true;
        break;
      }
    }
    await this.deps.scanner.saveCursor(cursor);
    const { admitted, waiting } = admitCapWaiting(capWaiting, inFlight, this.deps.settings);
    for (const node of admitted) {
      if (queue.has(node.instanceId)) continue;
      queue.set(node.instanceId, 'DEFERRED');
      report.candidates.DEFERRED += 1;
    }
    report.stillBlocked += waiting;

    // Stale locks first (they were blocking a node), then in scan order; periodic re-reads last.
    const ordered = [...queue.entries()].sort(([, a], [, b]) => Number(a === 'REVERIFY') - Number(b === 'REVERIFY'));
    const selected = ordered.slice(0, this.limits.maxNodes);
    report.deferredToNextRun = queue.size - selected.length;
    // Re-reads use the unchanged-summary shortcut; the other reasons read everything.
    const work = [
      ...chunks(selected.filter(([, reason]) => reason !== 'REVERIFY').map(([id]) => id), EVALUATION_CHUNK).map((ids) => ({ ids, source: 'sweep' as const })),
      ...chunks(selected.filter(([, reason]) => reason === 'REVERIFY').map(([id]) => id), EVALUATION_CHUNK).map((ids) => ({ ids, source: 'reverify' as const })),
    ];
    for (const [index, { ids: chunk, source }] of work.entries()) {
      if (remainingMs() <= this.limits.reserveMs) {
        const left = work.slice(index).reduce((sum, entry) => sum + entry.ids.length, 0);
        report.deferredToNextRun += left;
        sink.warn('sweep stopped early: Lambda time budget', { left });
        break;
      }
      try {
        await this.deps.evaluator.evaluateNodes(chunk, { source });
        report.evaluated += chunk.length;
      } catch (error) {
        // One bad chunk must not stop the rest; the nodes stay candidates for the next run.
        report.evaluationFailures += chunk.length;
        sink.error('sweep evaluation failed', { instanceIds: chunk, error: String(error) });
      }
    }

    sink.count('SweepNodesEvaluated', report.evaluated);
    sink.count('StaleLocksReleased', report.staleLocksReleased);
    if (report.evaluationFailures > 0) sink.count('SweepEvaluationFailures', report.evaluationFailures);
    sink.info('sweep done', { ...report });
    return report;
  }

  /** The paused pipeline's reminder, at most once per PAUSED_REMINDER_HOURS across all sweeps. */
  private async remindPaused(liveMode: SweepLiveMode, now: Date): Promise<boolean> {
    if (!(await liveMode.notices.claimNotice('PAUSED', now, PAUSED_REMINDER_HOURS))) return false;
    try {
      await liveMode.notifier.notifyPaused({ parameterName: liveMode.parameterName, checkedAt: now.toISOString() });
      return true;
    } catch (error) {
      // Given back, so the next run tries again; the error fails the invocation (alarmed).
      await liveMode.notices.forgetNotice('PAUSED', now);
      this.deps.sink.count('AlertFailures');
      throw error;
    }
  }

  /**
   * Deferral guards whose reason still holds right now, so re-reading their nodes would only defer
   * them again. An unreadable calendar counts as still CLOSED (the triage treats it the same way).
   */
  private async blockedDeferrals(now: Date, inFlight: { remediations: number; reboots: number }): Promise<Set<DeferralGuard>> {
    const { settings, calendar, sink } = this.deps;
    let calendarState: { state: 'OPEN' | 'CLOSED' } | undefined;
    if (calendar && settings.changeCalendarNames.length > 0) {
      try {
        calendarState = await calendar.state(settings.changeCalendarNames, now);
      } catch (error) {
        sink.warn('change calendar unreadable: calendar deferrals stay deferred this run', { error: String(error) });
        calendarState = { state: 'CLOSED' };
      }
    }
    return blockedAccountGuards({ inFlight, settings, ...(calendarState ? { calendar: calendarState } : {}) });
  }

  /** Settles every lock whose command no event will settle (lock-reconciliation.ts). */
  private async releaseStaleLocks(now: Date): Promise<{ released: string[]; inFlight: { remediations: number; reboots: number } }> {
    return reconcileLocks(this.deps, now);
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
