/**
 * The simulated AWS account behind the fake server: answers SSM, SNS and EventBridge operations from
 * the fleet, records every write, and measures the safety invariants on the AWS side (what was really
 * sent), never trusting the code under test.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SimNode } from '../fleet';
import { applyInstall } from '../fleet';
import { GuardAudit, type GuardLimits } from './guard-audit';

type Json = Record<string, unknown>;
export interface JsonReply {
  status: number;
  body: unknown;
}

export interface SimCommand {
  commandId: string;
  instanceId: string;
  documentName: string;
  operation: string;
  rebootOption: string;
  requestedMs: number;
  /** When the node will report an end state. */
  dueMs: number;
  status: 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut';
  statusDetails: string;
  responseCode: number;
  output: string;
  comment: string;
}

export interface AlertRecord {
  atMs: number;
  subject: string;
  message: string;
  key: string;
}

export interface FakeCounters {
  ssmReadCalls: number;
  /** Resource Groups Tagging API reads (GetResources): AWS reads the pipeline makes besides SSM. */
  taggingReadCalls: number;
  ssmWriteCalls: number;
  throttledCalls: number;
  readCallsByOperation: Record<string, number>;
  commandsByAction: Record<string, number>;
  duplicateCommands: number;
  commandsToIneligibleNodes: number;
  ineligibleDetails: string[];
  maxConcurrentReboots: number;
  reboots: number;
  alerts: number;
  duplicateAlerts: number;
  snsFailuresInjected: number;
  invalidInstanceIdAnswers: number;
  putEventsEntries: number;
}

export interface FakeAwsOptions {
  nodes: SimNode[];
  now: () => number;
  tagKey: string;
  defaultNodeMode: 'auto' | 'notify' | 'off';
  random: () => number;
  /** Fraction of SNS Publish calls answered with HTTP 500. */
  snsFailureRate: number;
  alertRepeatHours: number;
  /** Minutes an Install takes on a node (a reboot adds REBOOT_MINUTES). */
  installMinutes: (node: SimNode) => number;
  /** The pipeline's guard settings: commands past them are counted (guard-audit.ts). */
  guardLimits?: GuardLimits;
  /**
   * The stack's IAM tag condition on ssm:SendCommand (lib/permissions.ts): a call naming a node whose
   * scope is not `auto` is refused with AccessDeniedException naming that node's ARN, as IAM does.
   */
  iamScopeCondition?: boolean;
  /** Called with a SendCommand's node IDs before it is evaluated (faults: deregistration, tag change mid-batch). */
  beforeSendCommand?: (instanceIds: readonly string[]) => void;
}

const REBOOT_MINUTES = 4;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** Fields whose model type is a timestamp (botocore): JSON 1.1 sends them as epoch seconds. */
export function toWire(value: unknown): unknown {
  if (typeof value === 'string' && ISO.test(value)) return Date.parse(value) / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, toWire(entry)]));
  return value;
}

const error = (type: string, message: string, status = 400): JsonReply => ({ status, body: { __type: type, message } });

function page<T>(items: T[], input: Json, defaultMax = 50): { slice: T[]; next?: string } {
  const max = typeof input['MaxResults'] === 'number' ? input['MaxResults'] : defaultMax;
  const start = typeof input['NextToken'] === 'string' ? Number.parseInt(input['NextToken'], 10) : 0;
  const slice = items.slice(start, start + max);
  return start + max < items.length ? { slice, next: String(start + max) } : { slice };
}

export class FakeAws {
  readonly counters: FakeCounters = {
    ssmReadCalls: 0,
    taggingReadCalls: 0,
    ssmWriteCalls: 0,
    throttledCalls: 0,
    readCallsByOperation: {},
    commandsByAction: {},
    duplicateCommands: 0,
    commandsToIneligibleNodes: 0,
    ineligibleDetails: [],
    maxConcurrentReboots: 0,
    reboots: 0,
    alerts: 0,
    duplicateAlerts: 0,
    snsFailuresInjected: 0,
    invalidInstanceIdAnswers: 0,
    putEventsEntries: 0,
  };
  readonly nodes = new Map<string, SimNode>();
  /** Keyed `<commandId>/<instanceId>`: one command may target up to 50 nodes (one invocation each). */
  readonly commands = new Map<string, SimCommand>();
  readonly inFlightByNode = new Map<string, SimCommand>();
  readonly alerts: AlertRecord[] = [];
  readonly publishedEvents: Json[] = [];
  /** Nodes that got a write the simulator counts as "action taken", for healed/needing-action. */
  readonly actedOn = new Set<string>();
  readonly audit?: GuardAudit;
  /** SendCommand requests that reached the service (accepted or not). */
  sendCommandRequests = 0;
  /** StartAssociationsOnce calls per association ID. */
  readonly associationRuns = new Map<string, number>();
  /** DescribeAssociation answers: association ID -> Targets. Default: InstanceIds of the nodes that report it. */
  readonly associationTargets = new Map<string, Array<{ Key: string; Values: string[] }>>();
  private readonly lastAlertByKey = new Map<string, number>();

  constructor(private readonly options: FakeAwsOptions) {
    for (const node of options.nodes) this.nodes.set(node.instanceId, node);
    if (options.guardLimits) this.audit = new GuardAudit(options.guardLimits);
  }

  /** Scope of a node as the account's tags say (ground truth for "ineligible"; README: trimmed, any case). */
  scopeOf(node: SimNode): 'auto' | 'notify' | 'off' {
    const value = node.tags[this.options.tagKey]?.trim().toLowerCase();
    return value === 'auto' || value === 'notify' || value === 'off' ? value : this.options.defaultNodeMode;
  }

  inFlightReboots(): number {
    let count = 0;
    for (const command of this.inFlightByNode.values()) if (command.rebootOption === 'RebootIfNeeded') count += 1;
    return count;
  }

  private live(id: unknown): SimNode | undefined {
    if (typeof id !== 'string') return undefined;
    const node = this.nodes.get(id);
    return node && !node.deregistered ? node : undefined;
  }

  // -------------------------------------------------------------------------------------------
  // SSM
  // -------------------------------------------------------------------------------------------

  ssm(operation: string, input: Json): JsonReply {
    const isRead = /^(Describe|List|Get)/.test(operation);
    if (isRead) {
      this.counters.ssmReadCalls += 1;
      this.counters.readCallsByOperation[operation] = (this.counters.readCallsByOperation[operation] ?? 0) + 1;
    } else this.counters.ssmWriteCalls += 1;
    switch (operation) {
      case 'DescribeInstanceInformation':
        return this.describeInstanceInformation(input);
      case 'DescribeInstancePatchStates':
        return this.describeInstancePatchStates(input);
      case 'ListResourceComplianceSummaries':
        return this.listResourceComplianceSummaries(input);
      case 'DescribeInstancePatches':
        return this.perNode(input['InstanceId'], (node) => {
          const filters = (input['Filters'] as { Key: string; Values: string[] }[] | undefined) ?? [];
          const wanted = filters.find((filter) => filter.Key === 'State')?.Values.map(normalizeState);
          const patches = (node.snapshot.patches ?? []).filter((patch) => !wanted || wanted.includes(normalizeState(patch.State ?? '')));
          const { slice, next } = page(patches, input);
          return { Patches: toWire(slice), ...(next ? { NextToken: next } : {}) };
        });
      case 'DescribeInstanceAssociationsStatus':
        return this.perNode(input['InstanceId'], (node) => {
          const { slice, next } = page(node.snapshot.associationStatuses ?? [], input);
          return { InstanceAssociationStatusInfos: toWire(slice), ...(next ? { NextToken: next } : {}) };
        });
      case 'ListComplianceItems':
        return this.listComplianceItems(input);
      case 'ListCommandInvocations':
        return this.listCommandInvocations(input);
      case 'ListCommands':
        return this.listCommands(input);
      case 'GetCommandInvocation':
        return this.getCommandInvocation(input);
      case 'ListTagsForResource': {
        const node = this.live(input['ResourceId']);
        if (!node || input['ResourceType'] !== 'ManagedInstance' || !node.instanceId.startsWith('mi-')) {
          return error('InvalidResourceId', 'The resource ID is not valid. Verify that you entered the correct ID and try again.');
        }
        return { status: 200, body: { TagList: Object.entries(node.tags).map(([Key, Value]) => ({ Key, Value })) } };
      }
      case 'GetCalendarState':
        return {
          status: 200,
          body: { State: 'OPEN', AtTime: new Date(this.options.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') },
        };
      case 'SendCommand':
        return this.sendCommand(input);
      case 'StartAssociationsOnce':
        return this.startAssociationsOnce(input);
      case 'DescribeAssociation':
        return this.describeAssociation(input);
      default:
        return error('InvalidAction', `operation ${operation} is not simulated`);
    }
  }

  private perNode(id: unknown, build: (node: SimNode) => unknown): JsonReply {
    const node = this.live(id);
    if (!node) {
      this.counters.invalidInstanceIdAnswers += 1;
      return error('InvalidInstanceId', 'Instances not in a valid state for account');
    }
    return { status: 200, body: build(node) };
  }

  /** Filters: InstanceIds (an unknown ID fails the whole call, API reference) or one `tag:<key>` filter. */
  private describeInstanceInformation(input: Json): JsonReply {
    const filters = (input['Filters'] as { Key: string; Values: string[] }[] | undefined) ?? [];
    let selected: SimNode[];
    const idFilter = filters.find((filter) => filter.Key === 'InstanceIds');
    const tagFilter = filters.find((filter) => filter.Key.startsWith('tag:'));
    if (idFilter) {
      if (idFilter.Values.length > 50) return error('ValidationException', 'InstanceIds: at most 50 values');
      const nodes = idFilter.Values.map((id) => this.live(id));
      if (nodes.some((node) => !node)) {
        this.counters.invalidInstanceIdAnswers += 1;
        return error('InvalidInstanceId', 'Instances not in a valid state for account');
      }
      selected = nodes as SimNode[];
    } else if (tagFilter) {
      const key = tagFilter.Key.slice(4);
      selected = [...this.nodes.values()].filter((node) => !node.deregistered && tagFilter.Values.includes(node.tags[key] ?? '\u0000'));
    } else selected = [...this.nodes.values()].filter((node) => !node.deregistered);
    const infos = selected.flatMap((node) => (node.snapshot.instanceInformation ? [this.liveInfo(node)] : []));
    const { slice, next } = page(infos, input);
    return { status: 200, body: { InstanceInformationList: toWire(slice), ...(next ? { NextToken: next } : {}) } };
  }

  private liveInfo(node: SimNode): Json {
    const info = node.snapshot.instanceInformation!;
    if (node.offline) return { ...info, PingStatus: 'ConnectionLost' };
    if (info.PingStatus !== 'Online') return { ...info };
    // An online agent pings every few minutes.
    return { ...info, LastPingDateTime: new Date(this.options.now() - 60_000).toISOString() };
  }

  private describeInstancePatchStates(input: Json): JsonReply {
    const ids = (input['InstanceIds'] as string[] | undefined) ?? [];
    if (ids.length > 50) return error('ValidationException', 'InstanceIds: at most 50 values');
    const states = ids.flatMap((id) => {
      const node = this.live(id);
      return node?.snapshot.patchState ? [node.snapshot.patchState] : [];
    });
    const { slice, next } = page(states, input);
    return { status: 200, body: { InstancePatchStates: toWire(slice), ...(next ? { NextToken: next } : {}) } };
  }

  private listResourceComplianceSummaries(input: Json): JsonReply {
    const filters = (input['Filters'] as { Key: string; Values: string[]; Type?: string }[] | undefined) ?? [];
    const ids = filters.find((filter) => filter.Key === 'InstanceId')?.Values;
    const status = filters.find((filter) => filter.Key === 'Status')?.Values;
    const nodes = ids ? ids.flatMap((id) => (this.live(id) ? [this.live(id)!] : [])) : [...this.nodes.values()].filter((node) => !node.deregistered);
    const summaries = nodes.flatMap((node) =>
      (node.snapshot.complianceSummaries ?? []).filter((summary) => !status || status.includes(summary.Status ?? '')),
    );
    const { slice, next } = page(summaries, input);
    return { status: 200, body: { ResourceComplianceSummaryItems: toWire(slice), ...(next ? { NextToken: next } : {}) } };
  }

  private listComplianceItems(input: Json): JsonReply {
    const ids = (input['ResourceIds'] as string[] | undefined) ?? [];
    if (ids.length !== 1) return error('ValidationException', 'Currently, you can only specify one resource ID');
    return this.perNode(ids[0], (node) => {
      const filters = (input['Filters'] as { Key: string; Values: string[]; Type?: string }[] | undefined) ?? [];
      const items = (node.snapshot.complianceItems ?? []).filter((item) =>
        filters.every((filter) => {
          const value = String(item[filter.Key] ?? '');
          const hit = filter.Values.includes(value);
          return filter.Type === 'NOT_EQUAL' ? !hit : hit;
        }),
      );
      const { slice, next } = page(items, input);
      return { ComplianceItems: toWire(slice), ...(next ? { NextToken: next } : {}) };
    });
  }

  private invocationShape(command: SimCommand): Json {
    return {
      CommandId: command.commandId,
      InstanceId: command.instanceId,
      InstanceName: '',
      Comment: command.comment,
      DocumentName: command.documentName,
      DocumentVersion: '$DEFAULT',
      RequestedDateTime: command.requestedMs / 1000,
      Status: command.status,
      StatusDetails: command.statusDetails,
      ServiceRole: '',
    };
  }

  private listCommandInvocations(input: Json): JsonReply {
    const filters = (input['Filters'] as { key: string; value: string }[] | undefined) ?? [];
    const after = filters.find((filter) => filter.key === 'InvokedAfter');
    const document = filters.find((filter) => filter.key === 'DocumentName');
    const instanceId = input['InstanceId'];
    if (typeof instanceId === 'string' && !this.live(instanceId)) {
      this.counters.invalidInstanceIdAnswers += 1;
      return error('InvalidInstanceId', 'Instances not in a valid state for account');
    }
    const matches = [...this.commands.values()]
      .filter((command) => (instanceId ? command.instanceId === instanceId : true))
      .filter((command) => (input['CommandId'] ? command.commandId === input['CommandId'] : true))
      .filter((command) => (document ? command.documentName === document.value : true))
      .filter((command) => (after ? command.requestedMs >= Date.parse(after.value) : true))
      .sort((a, b) => b.requestedMs - a.requestedMs);
    // Runs from before the simulation (the template's history) come first in age, then the simulated ones.
    const node = typeof instanceId === 'string' ? this.live(instanceId) : undefined;
    const history = (node?.snapshot.commandInvocations ?? [])
      .filter((invocation) => (document ? invocation.DocumentName === document.value : true))
      .filter((invocation) => (after ? Date.parse(invocation.RequestedDateTime ?? '') >= Date.parse(after.value) : true))
      .filter(() => !input['CommandId'])
      .map((invocation) => toWire(invocation) as Json);
    const all = [...matches.map((command) => this.invocationShape(command)), ...history];
    const { slice, next } = page(all, input);
    return { status: 200, body: { CommandInvocations: slice, ...(next ? { NextToken: next } : {}) } };
  }

  private listCommands(input: Json): JsonReply {
    const instanceId = input['InstanceId'];
    const matches = [...this.commands.values()]
      .filter((command) => (instanceId ? command.instanceId === instanceId : true))
      .filter((command) => (input['CommandId'] ? command.commandId === input['CommandId'] : true))
      .sort((a, b) => b.requestedMs - a.requestedMs);
    const { slice, next } = page(matches, input);
    return {
      status: 200,
      body: {
        Commands: slice.map((command) => ({
          CommandId: command.commandId,
          DocumentName: command.documentName,
          InstanceIds: [command.instanceId],
          RequestedDateTime: command.requestedMs / 1000,
          Status: command.status,
          StatusDetails: command.statusDetails,
          Parameters: { Operation: [command.operation], RebootOption: [command.rebootOption] },
          Comment: command.comment,
          TargetCount: 1,
          CompletedCount: ['Pending', 'InProgress'].includes(command.status) ? 0 : 1,
        })),
        ...(next ? { NextToken: next } : {}),
      },
    };
  }

  private getCommandInvocation(input: Json): JsonReply {
    const command = this.commands.get(`${String(input['CommandId'])}/${String(input['InstanceId'])}`);
    if (!command) {
      return error('InvocationDoesNotExist', 'An error occurred (InvocationDoesNotExist) when calling the GetCommandInvocation operation');
    }
    const done = !['Pending', 'InProgress'].includes(command.status);
    return {
      status: 200,
      body: {
        CommandId: command.commandId,
        InstanceId: command.instanceId,
        Comment: command.comment,
        DocumentName: command.documentName,
        DocumentVersion: '$DEFAULT',
        PluginName: 'PatchLinux',
        ResponseCode: done ? command.responseCode : -1,
        // ExecutionStartDateTime / ExecutionEndDateTime are strings in the model, not timestamps.
        ExecutionStartDateTime: new Date(command.requestedMs).toISOString(),
        ExecutionElapsedTime: 'PT0S',
        ExecutionEndDateTime: done ? new Date(command.dueMs).toISOString() : '',
        Status: command.status,
        StatusDetails: command.statusDetails,
        StandardOutputContent: done ? command.output : '',
        StandardOutputUrl: '',
        StandardErrorContent: command.status === 'Failed' ? command.output : '',
        StandardErrorUrl: '',
        CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
      },
    };
  }

  /** SendCommand: the invariants are measured here, on what really reached "AWS". */
  private sendCommand(input: Json): JsonReply {
    const ids = (input['InstanceIds'] as string[] | undefined) ?? [];
    const documentName = String(input['DocumentName'] ?? '');
    this.sendCommandRequests += 1;
    if (ids.length === 0 || ids.length > 50) return error('ValidationException', 'InstanceIds: 1 to 50 values');
    this.options.beforeSendCommand?.(ids);
    if (this.options.iamScopeCondition) {
      const denied = ids.find((id) => {
        const node = this.nodes.get(id);
        return node !== undefined && (node.tags[this.options.tagKey] ?? this.options.defaultNodeMode).trim().toLowerCase() !== 'auto';
      });
      if (denied) {
        const arn = `arn:aws:${denied.startsWith('mi-') ? 'ssm' : 'ec2'}:eu-west-1:111122223333:${denied.startsWith('mi-') ? 'managed-instance' : 'instance'}/${denied}`;
        return error('AccessDeniedException', `User: arn:aws:sts::111122223333:assumed-role/SsmComplianceAutopilot-TriageRole/triage is not authorized to perform: ssm:SendCommand on resource: ${arn} because no identity-based policy allows the ssm:SendCommand action`);
      }
    }
    if (ids.some((id) => !this.live(id))) {
      this.counters.invalidInstanceIdAnswers += 1;
      // The message format with node IDs is not documented: the pipeline must not rely on it.
      return error('InvalidInstanceId', 'Instances not in a valid state for account');
    }
    const parameters = (input['Parameters'] as Record<string, string[]> | undefined) ?? {};
    const operation = parameters['Operation']?.[0] ?? 'Scan';
    const rebootOption = parameters['RebootOption']?.[0] ?? 'RebootIfNeeded';
    const commandId = randomUUID();
    const now = this.options.now();
    for (const id of ids) {
      const node = this.live(id)!;
      const action = documentName === 'AWS-RunPatchBaseline' ? `${operation}:${rebootOption}` : documentName;
      this.counters.commandsByAction[action] = (this.counters.commandsByAction[action] ?? 0) + 1;
      this.actedOn.add(id);
      if (this.inFlightByNode.has(id)) this.counters.duplicateCommands += 1;
      this.audit?.onAccepted(id, String(input['Comment'] ?? ''), rebootOption === 'RebootIfNeeded', now, { all: this.inFlightByNode.size, reboots: this.inFlightReboots() });
      const scope = this.scopeOf(node);
      const ping = node.offline ? 'ConnectionLost' : node.snapshot.instanceInformation?.PingStatus;
      if (scope !== 'auto' || ping !== 'Online') {
        this.counters.commandsToIneligibleNodes += 1;
        if (this.counters.ineligibleDetails.length < 20) this.counters.ineligibleDetails.push(`${id} scope=${scope} ping=${ping}`);
      }
      const minutes = this.options.installMinutes(node) + (rebootOption === 'RebootIfNeeded' ? REBOOT_MINUTES : 0);
      const command: SimCommand = {
        commandId,
        instanceId: id,
        documentName,
        operation,
        rebootOption,
        requestedMs: now,
        dueMs: now + minutes * 60_000,
        status: 'Pending',
        statusDetails: 'Pending',
        responseCode: -1,
        output: '',
        comment: String(input['Comment'] ?? ''),
      };
      this.commands.set(`${commandId}/${id}`, command);
      this.inFlightByNode.set(id, command);
    }
    this.counters.maxConcurrentReboots = Math.max(this.counters.maxConcurrentReboots, this.inFlightReboots());
    return {
      status: 200,
      body: {
        Command: {
          CommandId: commandId,
          DocumentName: documentName,
          DocumentVersion: '$DEFAULT',
          Comment: String(input['Comment'] ?? ''),
          Parameters: parameters,
          InstanceIds: ids,
          RequestedDateTime: now / 1000,
          Status: 'Pending',
          StatusDetails: 'Pending',
          TimeoutSeconds: input['TimeoutSeconds'] ?? 3600,
          TargetCount: ids.length,
          CompletedCount: 0,
          ErrorCount: 0,
          DeliveryTimedOutCount: 0,
          MaxConcurrency: '50',
          MaxErrors: '0',
        },
      },
    };
  }

  private startAssociationsOnce(input: Json): JsonReply {
    const ids = (input['AssociationIds'] as string[] | undefined) ?? [];
    if (ids.length === 0 || ids.length > 10) return error('ValidationException', 'AssociationIds: 1 to 10 values');
    for (const id of ids) this.associationRuns.set(id, (this.associationRuns.get(id) ?? 0) + 1);
    this.counters.commandsByAction['StartAssociationsOnce'] = (this.counters.commandsByAction['StartAssociationsOnce'] ?? 0) + ids.length;
    for (const node of this.nodes.values()) {
      for (const status of node.snapshot.associationStatuses ?? []) {
        if (status.AssociationId && ids.includes(status.AssociationId)) {
          const scope = this.scopeOf(node);
          if (scope !== 'auto') this.counters.commandsToIneligibleNodes += 1;
          this.actedOn.add(node.instanceId);
        }
      }
    }
    return { status: 200, body: {} };
  }

  private describeAssociation(input: Json): JsonReply {
    const id = String(input['AssociationId'] ?? '');
    const reporting = [...this.nodes.values()].filter((node) => (node.snapshot.associationStatuses ?? []).some((status) => status.AssociationId === id));
    const targets = this.associationTargets.get(id) ?? (reporting.length > 0 ? [{ Key: 'InstanceIds', Values: reporting.map((node) => node.instanceId) }] : undefined);
    if (!targets) return error('AssociationDoesNotExist', `association ${id} does not exist`);
    return { status: 200, body: { AssociationDescription: { AssociationId: id, Name: 'AWS-GatherSoftwareInventory', Targets: targets } } };
  }

  /**
   * Advances every command due by `nowMs`: applies the node's reaction and returns the finished ones
   * (the runner turns them into status-change, PutInventory and PutComplianceItems events).
   */
  completeDueCommands(nowMs: number): SimCommand[] {
    const finished: SimCommand[] = [];
    for (const command of this.inFlightByNode.values()) {
      if (command.dueMs > nowMs) continue;
      const node = this.nodes.get(command.instanceId)!;
      if (node.offline || node.nextCommandTimesOut || node.deregistered) {
        node.nextCommandTimesOut = false;
        command.status = 'TimedOut';
        command.statusDetails = 'DeliveryTimedOut';
      } else if (command.operation === 'Install') {
        const outcome = applyInstall(node, command.rebootOption, command.dueMs, command.requestedMs);
        command.status = outcome.status;
        command.statusDetails = outcome.status;
        command.responseCode = outcome.responseCode;
        command.output = outcome.output;
        if (outcome.rebooted) this.counters.reboots += 1;
      } else {
        command.status = 'Success';
        command.statusDetails = 'Success';
        command.responseCode = 0;
      }
      finished.push(command);
    }
    for (const command of finished) {
      this.inFlightByNode.delete(command.instanceId);
      this.audit?.onEnded(command.instanceId, command.dueMs);
    }
    return finished;
  }

  // -------------------------------------------------------------------------------------------
  // Resource Groups Tagging API
  // -------------------------------------------------------------------------------------------

  /**
   * GetResources with ResourceARNList (≤ 100 ARNs, no pagination parameters with it: API reference);
   * a resource never tagged, or not found, is absent from the answer. Counted as an AWS read.
   */
  tagging(operation: string, input: Json): JsonReply {
    if (operation !== 'GetResources') return error('InvalidParameterException', `operation ${operation} is not simulated`);
    this.counters.taggingReadCalls += 1;
    this.counters.readCallsByOperation['tagging:GetResources'] = (this.counters.readCallsByOperation['tagging:GetResources'] ?? 0) + 1;
    const arns = (input['ResourceARNList'] as string[] | undefined) ?? [];
    if (arns.length === 0 || arns.length > 100) return error('InvalidParameterException', 'ResourceARNList: 1 to 100 ARNs');
    if (input['PaginationToken'] !== undefined || input['ResourcesPerPage'] !== undefined) {
      return error('InvalidParameterException', 'ResourceARNList cannot be combined with pagination parameters');
    }
    const mappings = arns.flatMap((arn) => {
      const node = this.nodes.get(arn.split('/').pop() ?? '');
      if (!node || !/^arn:aws:ec2:[a-z0-9-]+:\d{12}:instance\/i-/.test(arn) || Object.keys(node.tags).length === 0) return [];
      return [{ ResourceARN: arn, Tags: Object.entries(node.tags).map(([Key, Value]) => ({ Key, Value })) }];
    });
    return { status: 200, body: { PaginationToken: '', ResourceTagMappingList: mappings } };
  }

  // -------------------------------------------------------------------------------------------
  // SNS and EventBridge
  // -------------------------------------------------------------------------------------------

  snsPublish(form: URLSearchParams): { status: number; body: string } {
    const requestId = randomUUID();
    if (this.options.random() < this.options.snsFailureRate) {
      this.counters.snsFailuresInjected += 1;
      return {
        status: 500,
        body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>Internal failure</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    }
    const subject = form.get('Subject') ?? '';
    const message = form.get('Message') ?? '';
    const key = alertKey(subject, message);
    const now = this.options.now();
    const last = this.lastAlertByKey.get(key);
    this.counters.alerts += 1;
    if (last !== undefined && now - last < this.options.alertRepeatHours * 3_600_000) this.counters.duplicateAlerts += 1;
    this.lastAlertByKey.set(key, now);
    this.alerts.push({ atMs: now, subject, message, key });
    const messageId = randomUUID();
    return {
      status: 200,
      body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
    };
  }

  events(operation: string, input: Json): JsonReply {
    if (operation !== 'PutEvents') return error('UnknownOperationException', `operation ${operation} is not simulated`);
    const entries = (input['Entries'] as Json[] | undefined) ?? [];
    if (entries.length === 0 || entries.length > 10) return error('ValidationException', 'Entries: 1 to 10 entries');
    this.counters.putEventsEntries += entries.length;
    this.publishedEvents.push(...entries);
    return { status: 200, body: { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: randomUUID() })) } };
  }
}

function normalizeState(state: string): string {
  return state.replace(/_/g, '').toLowerCase();
}

/**
 * Same node + kind + cause + evidence. With MessageStructure=json the machine protocols (`sqs`,
 * `lambda`) carry the alert document (instanceId, kind, causes[].code/evidence); a plain message is
 * identified by its whole text.
 */
export function alertKey(subject: string, message: string): string {
  const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');
  try {
    const structure = JSON.parse(message) as Json;
    const documentText = structure['sqs'] ?? structure['lambda'];
    const document = (typeof documentText === 'string' ? JSON.parse(documentText) : structure) as Json;
    const causes = (document['causes'] as Json[] | undefined) ?? [];
    return hash([document['instanceId'] ?? '', document['kind'] ?? '', causes.map((cause) => [cause['code'], cause['evidence']])]);
  } catch {
    return hash([subject, message]);
  }
}
