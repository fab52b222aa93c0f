/**
 * A schema built on its first use, then kept. Building a zod schema costs far more than running it
 * (measured with callgrind: the intake's schemas cost ~25x more to build than to parse an event);
 * built at module load, every cold start pays for all of them, including the ones the event at hand
 * never needs (docs/PERFORMANCE.md, "Validation"). Use it for every module-level schema on the Lambda
 * path: `const fooSchema = lazySchema(() => z.object({...}))`, then `fooSchema().safeParse(input)`.
 */
export function lazySchema<S>(build: () => S): () => S {
  let schema: S | undefined;
  return () => (schema ??= build());
}
