/**
 * Configuration errors a person can act on: one line per problem naming the option, echoing the bad
 * value and saying what is allowed, derived from the schema itself. Used by `cdk synth` (lib/config.ts,
 * prefix `autopilot.`) and the diagnose CLI's `--config` (no prefix), so both say the same thing.
 */
import type { core } from 'zod';

/** Thrown for any configuration problem; `bin/app.ts` prints `message` without a stack trace and exits 1. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(
    readonly header: string,
    readonly problems: readonly string[],
  ) {
    super([header, ...problems.map((problem) => `  - ${problem}`)].join('\n'));
  }
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const rows: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i += 1) {
    for (let j = 1; j <= y.length; j += 1) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[x.length]![y.length]!;
}

/**
 * The known option a name most likely meant: same letters in another case, or a typo or two away.
 * `strict` for names that need not be ours at all (a `-c` key without the prefix): there only the
 * option itself in another case, or one typo in a long name, counts ("node" must not suggest "mode").
 */
export function suggestOption(name: string, known: readonly string[], strict = false): string | undefined {
  let best: { option: string; distance: number } | undefined;
  for (const option of known) {
    const distance = editDistance(name, option);
    if (!best || distance < best.distance) best = { option, distance };
  }
  if (!best) return undefined;
  const length = best.option.length;
  const tolerance = strict ? (length <= 6 ? 0 : 1) : length <= 4 ? 1 : length <= 8 ? 2 : 3;
  return best.distance <= tolerance ? best.option : undefined;
}

/** A value as the user wrote it, short enough for one line. */
export function showValue(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * One line per issue: `<prefix><path>: <problem>, got <value> (allowed: <values>)`. `input` is the
 * object that was validated (to echo values), `fields` the options by name.
 */
export function describeIssues(
  issues: readonly core.$ZodIssue[],
  fields: Record<string, core.$ZodType>,
  input: Record<string, unknown>,
  prefix: string,
): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const suggestion = suggestOption(key, Object.keys(fields));
        return `${prefix}${key}: unknown option, got ${showValue(input[key])}${suggestion ? `; did you mean \`${prefix}${suggestion}\`?` : ` (known: ${Object.keys(fields).join(', ')})`}`;
      });
    }
    const option = String(issue.path[0] ?? '');
    const field = fields[option];
    const path = `${prefix}${issue.path.map(String).join('.')}`;
    // A cross-field issue is about the combination: its message names the options and values.
    if (issue.code === 'custom' && issue.path.length <= 1 && !field) return [`${path}: ${issue.message}`];
    const value = valueAt(input, issue.path);
    const allowed = field && !isCrossField(issue) ? describeAllowed(field) : undefined;
    return [`${path}: ${problemOf(issue)}${isCrossField(issue) ? '' : `, got ${showValue(value)}`}${allowed ? ` (allowed: ${allowed})` : ''}`];
  });
}

/** Custom issues on an option are either its own refinement (logRetentionDays) or a cross-field rule. */
function isCrossField(issue: core.$ZodIssue): boolean {
  return issue.code === 'custom' && !/^must be one of /.test(issue.message);
}

function problemOf(issue: core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return 'not an allowed value';
    case 'invalid_type':
      return `not ${article(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'array' ? `too few entries (at least ${String(issue.minimum)})` : 'too small';
    case 'too_big':
      return issue.origin === 'array' ? `too many entries (at most ${String(issue.maximum)})` : 'too large';
    case 'invalid_format':
      return issue.format === 'email' ? 'not an e-mail address' : `not a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function valueAt(input: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * What a field accepts, from the schema itself. Core-level (`_zod.def` and its checks): the infra
 * options are classic zod, the runtime settings zod/mini.
 */
export function describeAllowed(field: core.$ZodType): string | undefined {
  const inner = unwrap(field);
  const def = inner._zod.def as { type: string; entries?: Record<string, unknown>; checks?: unknown[]; element?: core.$ZodType; format?: string };
  if (def.type === 'number') {
    const { minimum, maximum, integer } = numberChecks(def.checks);
    // A refined field (logRetentionDays) lists its values in its own message.
    if (minimum === undefined) return undefined;
    return `${integer ? 'integer' : 'number'} ${minimum}..${maximum ?? 'inf'}`;
  }
  if (def.type === 'boolean') return 'true | false';
  if (def.type === 'enum' && def.entries) return Object.values(def.entries).map(String).join(' | ');
  if (def.type === 'array') {
    const element = def.element ? (unwrap(def.element)._zod.def as { type: string; format?: string }) : undefined;
    const what = element?.format === 'email' ? 'e-mail addresses' : element?.type === 'string' ? 'names' : 'values';
    const max = lengthLimit(def.checks);
    return `${what} as a JSON array or a comma-separated list${max !== undefined ? `, at most ${max}` : ''}`;
  }
  if (def.type === 'string') {
    const max = lengthLimit(def.checks);
    return max !== undefined ? `text of at most ${max} characters` : undefined;
  }
  return undefined;
}

type Check = { _zod: { def: { check: string; value?: number; format?: string; maximum?: number } } };

function numberChecks(checks: unknown[] | undefined): { minimum?: number; maximum?: number; integer: boolean } {
  let minimum: number | undefined;
  let maximum: number | undefined;
  let integer = false;
  for (const check of (checks ?? []) as Check[]) {
    const { check: kind, value, format } = check._zod.def;
    if (kind === 'greater_than') minimum = value;
    else if (kind === 'less_than') maximum = value;
    else if (kind === 'number_format' && format?.includes('int')) integer = true;
  }
  return { ...(minimum !== undefined ? { minimum } : {}), ...(maximum !== undefined ? { maximum } : {}), integer };
}

function lengthLimit(checks: unknown[] | undefined): number | undefined {
  for (const check of (checks ?? []) as Check[]) {
    if (check._zod.def.check === 'max_length') return check._zod.def.maximum;
  }
  return undefined;
}

export function unwrap(schema: core.$ZodType): core.$ZodType {
  let current: core.$ZodType = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: core.$ZodType };
    if ((def.type === 'default' || def.type === 'optional' || def.type === 'nullable') && def.innerType) {
      current = def.innerType;
      continue;
    }
    return current;
  }
}
