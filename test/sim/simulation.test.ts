/**
 * A small simulated morning (150 nodes, 6 h incl. the maintenance-window scan burst, then the queue
 * drained) through the real pipeline: the safety and loss invariants, measured on the fake AWS side.
 * Not timings. The reboot cap is lowered to 2 so that it actually binds.
 */
import { realPipeline } from '../../sim/pipeline';
import { runSimulation, type SimulationDetails, type SimulationReport } from '../../sim/run';

let report: SimulationReport;
let details: SimulationDetails;

beforeAll(async () => {
  // Powertools writes the pipeline's logs/metrics to stdout; keep the test output readable.
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    ({ report, details } = await runSimulation({
      nodes: 150,
      seed: 3,
      hours: 6,
      pipeline: realPipeline,
      settings: { maxRebootsInFlight: 2 },
      rateLimit: { ratePerSecond: 2000, burst: 50 },
    }));
  } finally {
    process.stdout.write = write;
  }
}, 300_000);

test('every event is processed or dead-lettered, none lost', () => {
  expect(report.events).toBeGreaterThan(150 * 20);
  expect(report.eventsLost).toBe(0);
  expect(details.queue.duplicatesInjected).toBeGreaterThan(0);
  expect(details.malformedInjected).toBeGreaterThan(0);
});

test('no command while one is in flight, none to off / notify / unreachable nodes', () => {
  expect(report.duplicateCommands).toBe(0);
  expect(report.commandsToIneligibleNodes).toBe(0);
  expect(details.ineligibleDetails).toEqual([]);
});

test('the reboot cap holds', () => {
  expect(report.rebootCap).toBe(2);
  expect(report.maxConcurrentReboots).toBeGreaterThan(0);
  expect(report.maxConcurrentReboots).toBeLessThanOrEqual(2);
});

test('everything healable is healed, and alerts are not repeated', () => {
  expect(report.nodesNeedingAction).toBeGreaterThan(0);
  expect(details.unhealed).toEqual([]);
  expect(report.nodesHealed).toBe(report.nodesNeedingAction);
  expect(report.duplicateAlerts).toBe(0);
  expect(report.alerts).toBeGreaterThan(0);
});

test('the naive peer on the same stream sends far more commands', () => {
  const ours = Object.values(report.commands).reduce((sum, value) => sum + value, 0);
  expect(ours).toBeGreaterThan(0);
  expect(report.naive.commands).toBeGreaterThanOrEqual(5 * ours);
});

test('events that cannot change compliance cost no SSM read: reads per event stay inside the 0.2 budget', () => {
  expect(report.ssmReadCalls).toBeGreaterThan(0);
  expect(report.ssmReadCallsPerEvent).toBeLessThanOrEqual(0.2);
  // Tags are read per evaluated node through the tagging API, and those reads count too.
  expect(report.taggingReadCalls).toBeGreaterThan(0);
  expect(report.awsReadCallsPerEvent).toBeLessThanOrEqual(0.2);
});

describe('acting-path fault profile (--faults all): lost replies, 5xx after accept, resets, kills after send, mid-batch changes', () => {
  let faulted: SimulationReport;
  beforeAll(async () => {
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      ({ report: faulted } = await runSimulation({ nodes: 200, seed: 5, hours: 6, pipeline: realPipeline, faults: 'all', rateLimit: { ratePerSecond: 2000, burst: 50 } }));
    } finally {
      process.stdout.write = write;
    }
  }, 300_000);

  test('faults fired, and still no duplicate, no command past a guard or outside the caps, nothing lost', () => {
    expect(Object.values(faulted.faultsInjected).reduce((sum, value) => sum + value, 0)).toBeGreaterThan(0);
    expect(faulted.duplicateCommands).toBe(0);
    expect(faulted.commandsPastGuards).toBe(0);
    expect(faulted.commandsOutsideCaps).toBe(0);
    expect(faulted.commandsToIneligibleNodes).toBe(0);
    expect(faulted.eventsLost).toBe(0);
  });
});
