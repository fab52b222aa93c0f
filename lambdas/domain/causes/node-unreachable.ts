/** NODE_UNREACHABLE: the agent is not Online, or the node is missing from DescribeInstanceInformation. */
import type { CauseRule } from './rule';
import { agentLogPath, linksFor } from './next-steps';

export const NodeUnreachableCause: CauseRule = {
  code: 'NODE_UNREACHABLE',
  evaluate(facts) {
    const info = facts.snapshot.instanceInformation;
    if (facts.reachable) return null;
    const hasOtherData =
      facts.patchState !== null ||
      facts.patches.length > 0 ||
      (facts.complianceItems?.length ?? 0) > 0 ||
      (facts.complianceSummaries?.length ?? 0) > 0;
    // A node absent from every API is "unknown" (the reader reports it), not unreachable.
    if (info === null && !hasOtherData) return null;
    const summary =
      info === null
        ? 'Node is not listed by DescribeInstanceInformation (stopped, terminated or deregistered) but still has compliance data'
        : `SSM agent is ${facts.pingStatus ?? 'not Online'}, last ping ${info.LastPingDateTime ?? 'unknown'}: nothing can be run on it`;
    return {
      code: 'NODE_UNREACHABLE',
      remediation: 'NOTIFY',
      severity: 'HIGH',
      summary,
      evidence: {
        pingStatus: facts.pingStatus ?? null,
        lastPingDateTime: info?.LastPingDateTime ?? null,
        agentVersion: info?.AgentVersion ?? null,
        listedByDescribeInstanceInformation: info !== null,
      },
      nextSteps: [
        'Check the instance is running (EC2 console) or the server is powered on (hybrid node)',
        'Check the node reaches the ssm, ssmmessages and ec2messages endpoints (VPC endpoints, proxy, security groups)',
        'Check the instance profile / Default Host Management role grants AmazonSSMManagedInstanceCore',
        `Read the agent log ${agentLogPath(facts.platform)} and restart the SSM agent`,
      ],
      consoleLinks: linksFor(facts, ['node']),
    };
  },
};
