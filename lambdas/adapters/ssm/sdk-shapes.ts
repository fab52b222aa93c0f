/** Small helpers shared by the SSM read families: SDK output -> snapshot JSON, chunking, bounded concurrency. */

/** SDK output -> snapshot JSON: Dates to ISO strings, undefined fields dropped. */
export function toJsonShape(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonShape);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([key, inner]) => inner !== undefined && key !== '$metadata')
        .map(([key, inner]) => [key, toJsonShape(inner)]),
    );
  }
  return value;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item !== undefined) await work(item);
    }
  });
  await Promise.all(workers);
}

/** Per-node lists are capped: evidence shows 10 entries, counts come from the patch state. */
export const MAX_DETAIL_PAGES = 10;
