/**
 * The read cost of a report (bench/report-reads.ts, the figure in docs/PERFORMANCE.md) on a small fleet:
 * the fleet is listed 50 nodes a page, summaries are read 50 nodes a call, and only nodes whose summary
 * is not clean get the per-node detail calls. Never a write.
 */
import { measureReportReads } from '../../bench/report-reads';

test('a 300-node report: batched listing and summaries, detail calls only for nodes whose summary is not clean', async () => {
  const nodes = 300;
  const result = await measureReportReads(nodes, 7);
  const batches = Math.ceil(nodes / 50);
  const calls = (operation: string) => result.byOperation[operation] ?? 0;
  expect(result.exitCode).toBe(0);
  expect(result.byStatus['COMPLIANT']! + result.byStatus['NON_COMPLIANT']! + (result.byStatus['UNREPORTED'] ?? 0)).toBe(nodes);
  // Listing pages + one summary call per batch.
  expect(calls('DescribeInstanceInformation')).toBe(2 * batches);
  expect(calls('DescribeInstancePatchStates')).toBe(batches);
  expect(calls('tagging:GetResources')).toBeLessThanOrEqual(batches);
  // Detail: the command history once per detailed node; every node with a report row of its own was
  // detailed, not every node. Association statuses only where the summary shows a run short of
  // Success (domain/detail-plan.ts): the association-cause nodes, not every detailed one.
  const detailed = calls('ListCommandInvocations');
  expect(calls('DescribeInstanceAssociationsStatus')).toBeGreaterThan(0);
  expect(calls('DescribeInstanceAssociationsStatus')).toBeLessThan(detailed / 4);
  expect(detailed).toBeGreaterThanOrEqual(result.byStatus['NON_COMPLIANT']!);
  expect(detailed).toBeLessThan(nodes * 0.6);
  expect(Object.keys(result.byOperation).every((operation) => /^(tagging:)?(Describe|List|Get)/.test(operation))).toBe(true);
  expect(result.ssmReadCalls).toBe(Object.entries(result.byOperation).filter(([operation]) => !operation.startsWith('tagging:')).reduce((sum, [, count]) => sum + count, 0));
}, 60_000);
