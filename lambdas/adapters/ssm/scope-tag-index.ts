/**
 * The scope tag through SSM alone (the diagnose CLI's fallback when the tagging API cannot be
 * reached): DescribeInstanceInformation's `tag:<key>` filter lists the nodes carrying one value.
 * A tag filter cannot be combined with other filter types (API reference, DescribeInstanceInformation
 * `Filters`), so it lists across the fleet; fine for one CLI run, which is why the pipeline reads
 * tags per node through the tagging API instead (node-tags.ts).
 *
 * Whether the filter compares values case-sensitively is unverified (AWS-FACTS.md), so each scope
 * value is asked in the spellings people write (`off`, `Off`, `OFF`); a value with surrounding
 * spaces cannot be asked for and stays unknown here. The filter is checked first with a value no node
 * carries: nodes coming back mean SSM ignores the filter; a refused filter (InvalidFilterKey,
 * InvalidInstanceInformationFilterValue, ...) and a node listed under two values mean the same:
 * the scope tag cannot be known from SSM, and `tagsOf` throws. The index is built once per source
 * (one CLI run).
 */
import { randomUUID } from 'node:crypto';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { isFilterRejected, isUnknownNodeError, refusalEvidence, type ReadFallbacks } from './fallback-policy';
import { listHybridTags, listNodesWithTag } from './instance-info';
import type { NodeTags, NodeTagSource } from './node-tags';

const SCOPE_TAG_VALUES = ['auto', 'notify', 'off'] as const;

function spellings(value: string): string[] {
  return [...new Set([value, value.charAt(0).toUpperCase() + value.slice(1), value.toUpperCase()])];
}

export class SsmTagFilterTagSource implements NodeTagSource {
  private index: Promise<Map<string, string>> | undefined;

  constructor(
    private readonly client: SSMClient,
    private readonly tagKey: string,
    private readonly fallbacks: ReadFallbacks,
  ) {}

  /** Hybrid (`mi-`) nodes: all their tags through ListTagsForResource, which knows them; `i-` nodes: the scope tag. */
  async tagsOf(instanceIds: readonly string[]): Promise<NodeTags> {
    const result: NodeTags = new Map();
    const ec2 = instanceIds.filter((id) => !id.startsWith('mi-'));
    if (ec2.length > 0) {
      this.index ??= this.build();
      const index = await this.index;
      for (const id of ec2) result.set(id, index.has(id) ? { [this.tagKey]: index.get(id) ?? '' } : {});
    }
    for (const id of instanceIds.filter((candidate) => candidate.startsWith('mi-'))) {
      try {
        result.set(id, await listHybridTags(this.client, id));
      } catch (error) {
        if (!isUnknownNodeError(error)) throw error;
        result.set(id, {});
      }
    }
    return result;
  }

  private async build(): Promise<Map<string, string>> {
    const unusable = (evidence: string): Error => {
      this.fallbacks.degrade('tags.no-ssm-tag-filter', evidence);
      return new Error(`scope tag ${this.tagKey} cannot be read through SSM: ${evidence}`);
    };
    const list = async (value: string): Promise<string[]> => {
      try {
        return await listNodesWithTag(this.client, this.tagKey, value);
      } catch (error) {
        if (isFilterRejected(error) || isUnknownNodeError(error)) throw unusable(refusalEvidence(`tag:${this.tagKey} filter`, error));
        throw error;
      }
    };
    const nobody = await list(`no-such-value-${randomUUID()}`);
    if (nobody.length > 0) throw unusable(`tag:${this.tagKey} filter with a value no node carries listed ${nobody.length} node(s): the filter is ignored`);
    const valueByNode = new Map<string, string>();
    for (const value of SCOPE_TAG_VALUES) {
      for (const spelling of spellings(value)) {
        for (const id of await list(spelling)) {
          const known = valueByNode.get(id);
          if (known !== undefined && known.toLowerCase() !== value) throw unusable(`${id} was listed under ${known} and ${spelling}`);
          valueByNode.set(id, spelling);
        }
      }
    }
    return valueByNode;
  }
}
