/**
 * A small, faithful matcher for the subset of EventBridge event-pattern syntax this project uses,
 * so rule patterns can be checked against sample events without AWS. Semantics follow the
 * EventBridge user guide ("Event patterns", "Content filtering"):
 *  - every field named in the pattern must match (AND); fields the pattern omits are ignored;
 *  - a pattern leaf is an array of allowed values (OR); matching is exact and case-sensitive;
 *  - when the event's value is an array, the field matches if any element matches;
 *  - nested pattern objects match nested event objects;
 *  - content filters supported: `{ prefix }`, `{ exists }`, `{ "anything-but": value | values }`.
 * Anything else (numeric, suffix, wildcard, $or, ...) throws instead of guessing.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type EventPatternJson = { [key: string]: Json };

type Leaf = string | number | boolean | null;

export function matchesEventPattern(pattern: EventPatternJson, event: unknown): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([key, rule]) => matchField(rule, event[key], key in event, key));
}

function matchField(rule: Json, value: unknown, present: boolean, path: string): boolean {
  if (Array.isArray(rule)) return matchLeafRules(rule, value, present, path);
  if (isObject(rule)) {
    if (!present || !isObject(value)) return false;
    return Object.entries(rule).every(([key, inner]) => matchField(inner, value[key], key in value, `${path}.${key}`));
  }
  throw new Error(`Invalid pattern at ${path}: a leaf must be an array of values, got ${JSON.stringify(rule)}`);
}

function matchLeafRules(rules: Json[], value: unknown, present: boolean, path: string): boolean {
  const values: unknown[] = Array.isArray(value) ? value : [value];
  return rules.some((rule) => {
    if (isObject(rule)) {
      const filterNames = Object.keys(rule);
      if (filterNames.length !== 1) throw new Error(`Unsupported content filter at ${path}: ${JSON.stringify(rule)}`);
      const [name] = filterNames as [string];
      const operand = rule[name] as Json;
      switch (name) {
        case 'exists':
          // exists:false matches only a missing field; exists:true a present, non-object leaf.
          return operand === false ? !present : present && values.some((v) => isLeaf(v));
        case 'prefix':
          if (typeof operand !== 'string') throw new Error(`prefix needs a string at ${path}`);
          return present && values.some((v) => typeof v === 'string' && v.startsWith(operand));
        case 'anything-but': {
          const excluded = Array.isArray(operand) ? operand : [operand];
          return present && values.some((v) => isLeaf(v) && !excluded.some((ex) => ex === v));
        }
        default:
          throw new Error(`Unsupported content filter "${name}" at ${path}`);
      }
    }
    if (Array.isArray(rule)) throw new Error(`Nested arrays are not valid in a pattern at ${path}`);
    return present && values.some((v) => isLeaf(v) && v === rule);
  });
}

function isLeaf(value: unknown): value is Leaf {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
