import { buildFleetReport } from '../../lambdas/domain/report/fleet-report';
import { advanceTracking, compliancePercent, type TrackingState } from '../../lambdas/domain/report/summary';
import { buildNodeEntry } from '../../lambdas/domain/report/rows';
import { CONTEXT, exampleSnapshot, exampleSnapshots } from './fixtures';

const HEALTHY = exampleSnapshot('healthy-linux.json');
const MISSING = exampleSnapshot('missing-patches.json');

describe('fleet summary', () => {
  it('counts the examples by status, severity and cause', () => {
    const { summary } = buildFleetReport({ snapshots: exampleSnapshots(), ledger: new Map(), previousTracking: null, history: [], unknown: [], failed: ['i-0ffffffffffffffff'], context: CONTEXT });
    expect(summary).toMatchObject({
      date: '2026-11-20',
      nodes: 14,
      unreadable: 1,
      byStatus: { COMPLIANT: 8, NON_COMPLIANT: 5, UNREPORTED: 1 },
      bySeverity: { CRITICAL: 3, HIGH: 1, MEDIUM: 1, LOW: 0, INFORMATIONAL: 0, UNSPECIFIED: 0 },
      healthy: 2,
    });
    expect(Object.values(summary.byCause).reduce((sum, value) => sum + value, 0)).toBe(12);
    expect(compliancePercent(summary)).toBe(57.1);
  });

  it('remediation outcomes since the previous report, from the ledger', () => {
    const healed = { ...HEALTHY, instanceId: 'i-0aaaaaaaaaaaaaaa1' };
    const stillMissing = { ...MISSING, instanceId: 'i-0aaaaaaaaaaaaaaa2' };
    const inFlight = { ...MISSING, instanceId: 'i-0aaaaaaaaaaaaaaa3' };
    const deferred = { ...MISSING, instanceId: 'i-0aaaaaaaaaaaaaaa4' };
    const exhausted = { ...MISSING, instanceId: 'i-0aaaaaaaaaaaaaaa5' };
    const today = (hour: number) => `2026-11-20T${String(hour).padStart(2, '0')}:00:00.000Z`;
    const ledger = new Map([
      [healed.instanceId, { attempts: { MISSING_PATCHES: [today(3)] } }],
      [stillMissing.instanceId, { attempts: { MISSING_PATCHES: [today(4)] } }],
      [inFlight.instanceId, { attempts: { MISSING_PATCHES: [today(13)] }, lock: { action: 'INSTALL_PATCHES', acquiredAt: today(13), commandId: 'c-1' } }],
      [deferred.instanceId, { attempts: {}, deferral: { guard: 'CALENDAR_CLOSED', reason: 'closed', since: today(1) } }],
      // Two attempts, one before the previous report: both count for "exhausted", one for "sent".
      [exhausted.instanceId, { attempts: { MISSING_PATCHES: ['2026-11-19T20:00:00.000Z', today(5)] } }],
    ]);
    const previous: TrackingState = { generatedAt: '2026-11-20T00:00:00.000Z', nodes: {} };
    const { summary } = buildFleetReport({
      snapshots: [healed, stillMissing, inFlight, deferred, exhausted],
      ledger,
      previousTracking: previous,
      history: [],
      unknown: [],
      failed: [],
      context: CONTEXT,
    });
    // sent: 1 + 1 + 1 + 0 + 1; succeeded: the healed node; failed: stillMissing and exhausted (no lock, cause still there).
    expect(summary.remediations).toEqual({ sent: 4, succeeded: 1, failed: 2, deferred: 1, exhausted: 1 });
  });

  it('tracks open non-compliance: since is kept, a healed node counts its hours for each cause it had', () => {
    const previous: TrackingState = {
      generatedAt: '2026-11-19T14:05:12.000Z',
      nodes: {
        [HEALTHY.instanceId]: { since: '2026-11-18T14:05:12.000Z', causes: ['PENDING_REBOOT', 'MISSING_PATCHES'] },
        [MISSING.instanceId]: { since: '2026-11-01T00:00:00.000Z', causes: ['MISSING_PATCHES'] },
        'i-0bbbbbbbbbbbbbbb1': { since: '2026-11-10T00:00:00.000Z', causes: ['NODE_UNREACHABLE'] },
        'i-0bbbbbbbbbbbbbbb2': { since: '2026-11-10T00:00:00.000Z', causes: ['NODE_UNREACHABLE'] },
      },
    };
    const entries = [HEALTHY, MISSING].map((snapshot) => buildNodeEntry({ snapshot, nonCompliantSince: previous.nodes[snapshot.instanceId]?.since }, CONTEXT));
    // ...bbb1 could not be read (kept), ...bbb2 is gone from SSM (dropped, not healed).
    const { tracking, healed } = advanceTracking(entries, previous, ['i-0bbbbbbbbbbbbbbb1'], CONTEXT.generatedAt);
    expect(tracking.nodes).toEqual({
      [MISSING.instanceId]: { since: '2026-11-01T00:00:00.000Z', causes: ['MISSING_PATCHES'] },
      'i-0bbbbbbbbbbbbbbb1': { since: '2026-11-10T00:00:00.000Z', causes: ['NODE_UNREACHABLE'] },
    });
    expect(healed).toEqual([{ instanceId: HEALTHY.instanceId, causes: ['PENDING_REBOOT', 'MISSING_PATCHES'], hours: 48 }]);

    const { summary } = buildFleetReport({ snapshots: [HEALTHY, MISSING], ledger: new Map(), previousTracking: previous, history: [], unknown: [], failed: ['i-0bbbbbbbbbbbbbbb1'], context: CONTEXT });
    expect(summary.timeToHeal).toEqual({
      PENDING_REBOOT: { healed: 1, totalHours: 48, medianHours: 48, maxHours: 48 },
      MISSING_PATCHES: { healed: 1, totalHours: 48, medianHours: 48, maxHours: 48 },
    });
    // MISSING since Nov 1 (> 14 days), bbb1 since Nov 10 (> 7 days).
    expect(summary.ageOver).toEqual({ '1': 2, '7': 2, '14': 1, '30': 0 });
  });
});
