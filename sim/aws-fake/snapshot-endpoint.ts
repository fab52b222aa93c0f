/**
 * A local AWS endpoint that serves ONE saved node snapshot (plus two decoy nodes) the way SSM might
 * really answer: each `SsmVariant` scripts one plausible behaviour of a filter AWS-FACTS.md lists as
 * unverified (refused, silently ignored, honoured for one value only, matching nothing, another
 * spelling). Speaks SSM JSON 1.1, the tagging API JSON 1.1 (GetResources) and STS Query
 * (GetCallerIdentity), so the real SDK clients of the reader and the diagnose CLI run against it
 * unchanged (point AWS_ENDPOINT_URL_SSM / _RESOURCE_GROUPS_TAGGING_API / _STS at it). Counts calls.
 *
 * Decoys: the "ignored filter" answers carry other nodes' summaries and items, installed patches and
 * COMPLIANT entries, which the reader must filter out for the diagnosis to stay the same.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeSnapshot } from '../../lambdas/domain/types';
import { toWire } from './state';

export const SSM_VARIANTS = [
  'documented',
  'summaries-several-values-refused',
  'summaries-instance-filter-refused',
  'summaries-first-value-only',
  'summaries-filters-ignored',
  'summaries-instance-filter-matches-nothing',
  'items-not-equal-refused',
  'items-filters-ignored',
  'items-not-equal-matches-nothing',
  'patches-state-filter-refused',
  'patches-state-filter-model-spelling',
  'patches-state-filter-ignored',
  'tag-filter-refused',
  'tag-filter-ignored',
  'tag-filter-case-insensitive',
] as const;
export type SsmVariant = (typeof SSM_VARIANTS)[number];

export interface SnapshotEndpointOptions {
  snapshot: NodeSnapshot;
  variant: SsmVariant;
  /** Serve the tagging API and STS (default true); false answers them AccessDenied, as a locked-down account would. */
  taggingApi?: boolean;
  account?: string;
}

export interface SnapshotEndpoint {
  endpoint: string;
  calls: Map<string, number>;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
type Filter = { Key: string; Values: string[]; Type?: string };
interface Reply {
  status: number;
  body: unknown;
  xml?: boolean;
}

const DECOYS = ['i-0d0000000000000d1', 'i-0d0000000000000d2'];
const err = (type: string, message: string): Reply => ({ status: 400, body: { __type: type, message } });
const ok = (body: unknown): Reply => ({ status: 200, body });
const upperSnake = (state: string) => state.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
const camel = (state: string) => state.toLowerCase().replace(/(^|_)([a-z])/g, (_match, _sep: string, letter: string) => letter.toUpperCase());

function paged<T>(items: T[], input: Json): { slice: T[]; next?: string } {
  const max = typeof input['MaxResults'] === 'number' ? input['MaxResults'] : 50;
  const start = typeof input['NextToken'] === 'string' ? Number.parseInt(input['NextToken'], 10) : 0;
  const slice = items.slice(start, start + max);
  return start + max < items.length ? { slice, next: String(start + max) } : { slice };
}

function listReply(key: string, items: unknown[], input: Json): Reply {
  const { slice, next } = paged(items, input);
  return ok({ [key]: toWire(slice), ...(next ? { NextToken: next } : {}) });
}

export class SnapshotSsm {
  readonly calls = new Map<string, number>();
  private readonly node: NodeSnapshot;
  private readonly id: string;

  constructor(private readonly options: SnapshotEndpointOptions) {
    this.node = options.snapshot;
    this.id = options.snapshot.instanceId;
  }

  private has(variant: SsmVariant): boolean {
    return this.options.variant === variant;
  }

  private get known(): string[] {
    return [this.id, ...DECOYS];
  }

  /** Every node's summaries: the snapshot's, a COMPLIANT Patch one when it has a patch state and none, the decoys'. */
  private summaries(): Json[] {
    const own = (this.node.complianceSummaries ?? []) as Json[];
    const patch = this.node.patchState && !own.some((entry) => entry['ComplianceType'] === 'Patch')
      ? [{ ComplianceType: 'Patch', ResourceType: 'ManagedInstance', ResourceId: this.id, Status: 'COMPLIANT', OverallSeverity: 'UNSPECIFIED' }]
      : [];
    const decoys = DECOYS.map((id) => ({ ComplianceType: 'Custom:Decoy', ResourceType: 'ManagedInstance', ResourceId: id, Status: 'NON_COMPLIANT', OverallSeverity: 'HIGH', NonCompliantSummary: { NonCompliantCount: 1 } }));
    return [decoys[0]!, ...own, ...patch, decoys[1]!];
  }

  ssm(operation: string, input: Json): Reply {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    const filters = (input['Filters'] as Filter[] | undefined) ?? [];
    switch (operation) {
      case 'DescribeInstanceInformation':
        return this.describeInstanceInformation(filters, input);
      case 'DescribeInstancePatchStates': {
        const ids = (input['InstanceIds'] as string[] | undefined) ?? [];
        return listReply('InstancePatchStates', ids.includes(this.id) && this.node.patchState ? [this.node.patchState] : [], input);
      }
      case 'ListResourceComplianceSummaries':
        return this.listSummaries(filters, input);
      case 'ListComplianceItems':
        return this.listItems(filters, input);
      case 'DescribeInstancePatches':
        return this.describePatches(filters, input);
      case 'DescribeInstanceAssociationsStatus':
        if (input['InstanceId'] !== this.id) return err('InvalidInstanceId', 'Instances not in a valid state for account');
        return listReply('InstanceAssociationStatusInfos', this.node.associationStatuses ?? [], input);
      case 'ListCommandInvocations': {
        if (input['InstanceId'] !== this.id) return err('InvalidInstanceId', 'Instances not in a valid state for account');
        const commandFilters = (input['Filters'] as { key: string; value: string }[] | undefined) ?? [];
        const after = commandFilters.find((filter) => filter.key === 'InvokedAfter');
        const document = commandFilters.find((filter) => filter.key === 'DocumentName');
        const invocations = (this.node.commandInvocations ?? []).filter(
          (entry) => (!document || entry.DocumentName === document.value) && (!after || Date.parse(entry.RequestedDateTime ?? '') >= Date.parse(after.value)),
        );
        return listReply('CommandInvocations', invocations, input);
      }
      case 'ListTagsForResource':
        if (input['ResourceType'] !== 'ManagedInstance' || input['ResourceId'] !== this.id || !this.id.startsWith('mi-')) {
          return err('InvalidResourceId', 'The resource ID is not valid. Verify that you entered the correct ID and try again.');
        }
        return ok({ TagList: Object.entries(this.node.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) });
      default:
        return err('InvalidAction', `operation ${operation} is not served`);
    }
  }

  private describeInstanceInformation(filters: Filter[], input: Json): Reply {
    const info = this.node.instanceInformation ? [this.node.instanceInformation] : [];
    const ids = filters.find((filter) => filter.Key === 'InstanceIds');
    if (ids) {
      if (ids.Values.some((id) => !this.known.includes(id))) return err('InvalidInstanceId', 'Instances not in a valid state for account');
      return listReply('InstanceInformationList', ids.Values.includes(this.id) ? info : [], input);
    }
    const tag = filters.find((filter) => filter.Key.startsWith('tag:'));
    if (!tag) return listReply('InstanceInformationList', info, input);
    if (this.has('tag-filter-refused')) return err('InvalidFilterKey', `The filter key ${tag.Key} is not valid`);
    if (this.has('tag-filter-ignored')) return listReply('InstanceInformationList', info, input);
    const value = this.node.tags?.[tag.Key.slice(4)];
    const match = value !== undefined && tag.Values.some((wanted) => (this.has('tag-filter-case-insensitive') ? wanted.toLowerCase() === value.toLowerCase() : wanted === value));
    return listReply('InstanceInformationList', match ? info : [], input);
  }

  private listSummaries(filters: Filter[], input: Json): Reply {
    let entries = this.summaries();
    if (this.has('summaries-filters-ignored')) return listReply('ResourceComplianceSummaryItems', entries, input);
    const instance = filters.find((filter) => filter.Key === 'InstanceId');
    if (instance) {
      if (this.has('summaries-instance-filter-refused')) return err('InvalidFilter', 'The filter InstanceId is not valid');
      if (this.has('summaries-several-values-refused') && instance.Values.length > 1) return err('InvalidFilter', 'The filter InstanceId takes one value');
      if (this.has('summaries-instance-filter-matches-nothing')) return listReply('ResourceComplianceSummaryItems', [], input);
      const values = this.has('summaries-first-value-only') ? instance.Values.slice(0, 1) : instance.Values;
      entries = entries.filter((entry) => values.includes(String(entry['ResourceId'])));
    }
    const status = filters.find((filter) => filter.Key === 'Status');
    if (status) entries = entries.filter((entry) => status.Values.includes(String(entry['Status'])));
    return listReply('ResourceComplianceSummaryItems', entries, input);
  }

  private listItems(filters: Filter[], input: Json): Reply {
    const ids = (input['ResourceIds'] as string[] | undefined) ?? [];
    if (ids.length !== 1) return err('ValidationException', 'Currently, you can only specify one resource ID');
    if (ids[0] !== this.id) return err('InvalidResourceId', 'The resource ID is not valid');
    const decoys: Json[] = [
      { ComplianceType: 'Patch', ResourceType: 'ManagedInstance', ResourceId: this.id, Id: 'KB0000001', Title: 'decoy patch item', Status: 'NON_COMPLIANT', Severity: 'HIGH' },
      { ComplianceType: 'Association', ResourceType: 'ManagedInstance', ResourceId: this.id, Id: '00000000-0000-0000-0000-00000000d0c0', Title: 'decoy compliant association', Status: 'COMPLIANT', Severity: 'UNSPECIFIED' },
    ];
    const items = [decoys[0]!, ...((this.node.complianceItems ?? []) as Json[]), decoys[1]!];
    if (this.has('items-filters-ignored')) return listReply('ComplianceItems', items, input);
    if (filters.some((filter) => filter.Type === 'NOT_EQUAL')) {
      if (this.has('items-not-equal-refused')) return err('ValidationException', '1 validation error detected: Value NOT_EQUAL at filters.2.member.type failed to satisfy constraint');
      if (this.has('items-not-equal-matches-nothing')) return listReply('ComplianceItems', [], input);
    }
    const kept = items.filter((item) =>
      filters.every((filter) => {
        const hit = filter.Values.includes(String(item[filter.Key] ?? ''));
        return filter.Type === 'NOT_EQUAL' ? !hit : hit;
      }),
    );
    return listReply('ComplianceItems', kept, input);
  }

  private describePatches(filters: Filter[], input: Json): Reply {
    if (input['InstanceId'] !== this.id) return err('InvalidInstanceId', 'Instances not in a valid state for account');
    const installed = ['openssl-libs', 'bash'].map((name) => ({ Title: `${name}.x86_64:0-decoy`, KBId: `${name}.x86_64`, Classification: 'Security', Severity: 'Important', State: 'Installed', InstalledTime: '2026-10-01T00:00:00.000Z' }));
    const patches = [installed[0]!, ...((this.node.patches ?? []) as unknown as Json[]), installed[1]!];
    const state = filters.find((filter) => filter.Key === 'State');
    if (!state || this.has('patches-state-filter-ignored')) return listReply('Patches', patches, input);
    if (this.has('patches-state-filter-refused')) return err('InvalidFilter', `The filter value ${state.Values.join(',')} is not valid for State`);
    const matches = (patchState: string) =>
      this.has('patches-state-filter-model-spelling')
        ? state.Values.includes(upperSnake(camel(patchState)))
        : state.Values.some((value) => camel(upperSnake(value)) === camel(upperSnake(patchState)));
    return listReply('Patches', patches.filter((patch) => matches(String(patch['State']))), input);
  }

  tagging(operation: string, input: Json): Reply {
    this.calls.set(`tagging:${operation}`, (this.calls.get(`tagging:${operation}`) ?? 0) + 1);
    if (this.options.taggingApi === false) return err('AccessDeniedException', 'not authorized to perform tag:GetResources');
    if (operation !== 'GetResources') return err('InvalidParameterException', `operation ${operation} is not served`);
    const arns = (input['ResourceARNList'] as string[] | undefined) ?? [];
    const tags = this.node.tags ?? {};
    const mappings = arns
      .filter((arn) => arn.endsWith(`:instance/${this.id}`) && Object.keys(tags).length > 0)
      .map((arn) => ({ ResourceARN: arn, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
    return ok({ PaginationToken: '', ResourceTagMappingList: mappings });
  }

  sts(action: string): Reply {
    this.calls.set(`sts:${action}`, (this.calls.get(`sts:${action}`) ?? 0) + 1);
    const account = this.options.account ?? '123456789012';
    if (this.options.taggingApi === false || action !== 'GetCallerIdentity') {
      return { status: 403, xml: true, body: `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>` };
    }
    return {
      status: 200,
      xml: true,
      body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:user/diagnose</Arn><UserId>AIDAEXAMPLE</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    };
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

export async function startSnapshotEndpoint(options: SnapshotEndpointOptions): Promise<SnapshotEndpoint> {
  const fake = new SnapshotSsm(options);
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const target = String(request.headers['x-amz-target'] ?? '');
      let reply: Reply;
      if (target.startsWith('AmazonSSM.')) reply = fake.ssm(target.slice('AmazonSSM.'.length), body ? (JSON.parse(body) as Json) : {});
      else if (target.startsWith('ResourceGroupsTaggingAPI_20170126.')) reply = fake.tagging(target.slice('ResourceGroupsTaggingAPI_20170126.'.length), body ? (JSON.parse(body) as Json) : {});
      else reply = fake.sts(new URLSearchParams(body).get('Action') ?? '');
      const text = reply.xml ? String(reply.body) : JSON.stringify(reply.body);
      response.writeHead(reply.status, { 'content-type': reply.xml ? 'text/xml' : 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
      response.end(text);
    })().catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: 'InternalServerError', message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: fake.calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The snapshot as if captured at `nowMs`: every timestamp moved by the same amount (a real process reads "now"). */
export function rebaseSnapshot(snapshot: NodeSnapshot, nowMs: number): NodeSnapshot {
  const shift = nowMs - Date.parse(snapshot.capturedAt);
  const move = (value: unknown): unknown => {
    if (typeof value === 'string' && ISO_TIME.test(value)) return new Date(Date.parse(value) + shift).toISOString();
    if (Array.isArray(value)) return value.map(move);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, move(inner)]));
    return value;
  };
  return move(snapshot) as NodeSnapshot;
}
