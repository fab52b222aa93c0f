import { associationHistoryLink, consoleHost, nodePatchesLink, runCommandHistoryLink } from '../../lambdas/domain/console-links';

test.each([
  ['eu-west-1', 'https://eu-west-1.console.aws.amazon.com'],
  ['cn-north-1', 'https://console.amazonaws.cn'],
  ['us-gov-west-1', 'https://console.amazonaws-us-gov.com'],
])('console host for %s', (region, host) => {
  expect(consoleHost(region)).toBe(host);
});

test('links carry the node, command or association and the region', () => {
  expect(nodePatchesLink('us-east-2', 'mi-0b3c5d7e9f1a2b4c6').url).toBe(
    'https://us-east-2.console.aws.amazon.com/systems-manager/fleet-manager/managed-nodes/mi-0b3c5d7e9f1a2b4c6/general?region=us-east-2',
  );
  expect(runCommandHistoryLink('us-east-2', '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d').url).toContain('/run-command/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d?region=us-east-2');
  expect(runCommandHistoryLink('us-east-2').url).toContain('/run-command/complete-commands?region=us-east-2');
  expect(associationHistoryLink('us-east-2', 'f1e2d3c4').url).toContain('/state-manager/f1e2d3c4/executionhistory?region=us-east-2');
});
