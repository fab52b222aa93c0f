/**
 * THE pattern for an adapter the first event does not need (SNS alerts, EventBridge lifecycle events,
 * Security Hub findings, S3 reports, report rendering...): the wiring hands the use case a port whose
 * methods load the adapter module, and its SDK client, with `import()` on the first call.
 *
 *   // lambdas/wiring/common.ts
 *   const notifier = lazyAdapter<AlertNotifier>(
 *     async () => {
 *       const [{ SnsAlertNotifier }, { SNSClient }] = await Promise.all([import('../adapters/sns-notifier'), import('@aws-sdk/client-sns')]);
 *       return new SnsAlertNotifier(new SNSClient(clientConfig), topicArn, environment, sink);
 *     },
 *     { notifyDiagnosis: true, notifyExhausted: true, notifyDeferred: true, notifyResolved: true, notifyCommandFailed: true },
 *   );
 *
 * Rules that make it work (docs/PERFORMANCE.md, "Bundles"):
 *  - the `import()` names the adapter module and its `@aws-sdk/client-*`: nothing on the static import
 *    path of the handler may import either (`import type` is fine, it is erased; `bench:bundles`
 *    shows the KB loaded at import, so a slip shows up there). The bundler (`lib/bundling/lambda-bundle.ts`, esbuild
 *    `splitting`) then puts them in a chunk that Node loads on the first call, not at cold start;
 *  - only for ports whose methods all return promises (the load is asynchronous);
 *  - the method table is checked by the compiler to name every method of the port, so a method
 *    added to the port later cannot be forgotten here.
 * A failed load (it cannot fail once the bundle is deployed, but a test may make it) is not cached:
 * the next call tries again, and the caller sees the error like any adapter error.
 */

type AsyncMethodNames<P> = { [K in keyof P]: P[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof P];

/** `true` for every method of the port: the compiler rejects a missing or extra name. */
export type MethodTable<P> = { readonly [K in keyof P]: K extends AsyncMethodNames<P> ? true : never };

export function lazyAdapter<P extends object>(load: () => Promise<P>, methods: MethodTable<P>): P {
  let loading: Promise<P> | undefined;
  const adapter = () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  const port: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(methods)) {
    port[name] = async (...args: unknown[]) => {
      const target = (await adapter()) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      return target[name]!(...args);
    };
  }
  return port as unknown as P;
}
