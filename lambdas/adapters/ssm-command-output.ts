/**
 * Reads a finished command's output for the PATCH_OPERATION_FAILED alert.
 * AWS-RunPatchBaseline has one step per platform (PatchWindows, PatchLinux, PatchMacOS; the others
 * are skipped by precondition), and GetCommandInvocation needs PluginName when a document has more
 * than one step (GetCommandInvocation API reference, "PluginName"). So ListCommandInvocations with
 * Details=true names the step that ran, then GetCommandInvocation returns its output
 * (StandardErrorContent / StandardOutputContent are cut at 8,000 / 24,000 characters by SSM).
 */
import { GetCommandInvocationCommand, ListCommandInvocationsCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { CommandOutput, CommandOutputReader } from '../usecases/follow-up';

const UNFINISHED_PLUGIN_STATUSES = new Set(['Pending', 'InProgress', 'Delayed']);

export class SsmCommandOutputReader implements CommandOutputReader {
  constructor(private readonly client: SSMClient) {}

  async readOutput(commandId: string, instanceId: string): Promise<CommandOutput> {
    const pluginName = await this.stepThatRan(commandId, instanceId);
    const response = await this.client.send(
      new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId, ...(pluginName ? { PluginName: pluginName } : {}) }),
    );
    return {
      ...(pluginName ? { pluginName } : {}),
      ...(response.Status ? { status: response.Status } : {}),
      ...(response.StatusDetails ? { statusDetails: response.StatusDetails } : {}),
      ...(response.ResponseCode !== undefined ? { responseCode: response.ResponseCode } : {}),
      standardErrorContent: response.StandardErrorContent ?? '',
      standardOutputContent: response.StandardOutputContent ?? '',
    };
  }

  /** The step that did not end Skipped; a failed one first. Undefined = let GetCommandInvocation decide. */
  private async stepThatRan(commandId: string, instanceId: string): Promise<string | undefined> {
    const response = await this.client.send(new ListCommandInvocationsCommand({ CommandId: commandId, InstanceId: instanceId, Details: true }));
    const plugins = response.CommandInvocations?.[0]?.CommandPlugins ?? [];
    // A step whose platform precondition fails is reported with StatusDetails "Skipped" (and an Output
    // "Step execution skipped due to unsatisfied preconditions"); the service model lists no Skipped status.
    const ran = plugins.filter((plugin) => plugin.Name && plugin.StatusDetails !== 'Skipped' && String(plugin.Status) !== 'Skipped');
    const failed = ran.find((plugin) => plugin.Status !== 'Success' && !UNFINISHED_PLUGIN_STATUSES.has(plugin.Status ?? ''));
    return (failed ?? ran[0] ?? plugins[0])?.Name;
  }
}
