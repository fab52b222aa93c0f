/**
 * The esbuild step behind `AutopilotFunction` (and `bench/bundles.ts`): one handler entry -> a
 * directory of ESM files, `index.mjs` (the handler, `index.handler`) plus `chunks/*.mjs`.
 *
 * Why not NodejsFunction's bundling: it writes one `outfile`, and esbuild's code `splitting` needs
 * `outdir` + ESM. Without splitting, a dynamic `import()` of an adapter is inlined into the one file
 * behind lazy `__esm` initialisers (bigger and slower, docs/PERFORMANCE.md "Bundles"); with it, what
 * a handler imports with `import()` (see `lambdas/wiring/lazy-adapter.ts`) lands in chunks that Node
 * loads on first use, so a cold start reads and compiles only what the first event needs.
 *
 * The other options are NodejsFunction's for this project (ESM, node22, platform node, minify, no
 * source map, the SDK bundled, `mainFields module,main`, the createRequire banner). The result is
 * deterministic (same sources -> same bytes and file names), so the asset hash only moves when code does.
 */
import { resolve, relative, sep } from 'node:path';
import { buildSync, type BuildOptions, type Metafile } from 'esbuild';

const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** The file Lambda loads; the function's handler is `index.handler`. */
export const HANDLER_FILE = 'index.mjs';
export const HANDLER = 'index.handler';

/** ESM bundles still meet CommonJS dependencies calling require(): give every output file one. */
export const REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * `@aws-sdk/credential-provider-node` is replaced in Lambda bundles by the environment provider
 * (`lambdas/runtime/env-credential-provider.ts`, which says why).
 */
export const ENV_CREDENTIALS_ALIAS: Record<string, string> = {
  '@aws-sdk/credential-provider-node': resolve(PROJECT_ROOT, 'lambdas', 'runtime', 'env-credential-provider.ts'),
};

export interface LambdaBundleOptions {
  /**
   * Split what is loaded with `import()` into chunks loaded on first use (ESM + outdir).
   * False builds the single `index.mjs` NodejsFunction would (kept for `bench/bundles.ts --single-file`).
   * @default true
   */
  readonly splitting?: boolean;
  /**
   * Alias the SDK's default credential chain to the environment provider.
   * False keeps `@aws-sdk/credential-provider-node` (bench comparison only).
   * @default true
   */
  readonly envCredentialsOnly?: boolean;
}

export interface BundledFile {
  /** Relative to the output directory, `/`-separated. */
  readonly path: string;
  readonly bytes: number;
  /** True when Node loads it when `index.mjs` is imported (static imports, transitively). */
  readonly loadedAtImport: boolean;
}

export interface LambdaBundle {
  readonly outdir: string;
  readonly files: BundledFile[];
  readonly bytesAtImport: number;
  readonly bytesTotal: number;
  readonly metafile: Metafile;
}

/** The Node.js major the functions run on (nodejs22.x, lib/constructs/autopilot-function.ts) and are built for. */
export const LAMBDA_NODE_MAJOR = 22;

/** esbuild options for `entry` into `outdir` (exported for tests). */
export function lambdaBuildOptions(entry: string, outdir: string, options: LambdaBundleOptions = {}): BuildOptions {
  const splitting = options.splitting ?? true;
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: { index: resolve(entry) },
    bundle: true,
    ...(splitting
      ? { splitting: true, outdir, chunkNames: 'chunks/[name]-[hash]', outExtension: { '.js': '.mjs' } }
      : { outfile: resolve(outdir, HANDLER_FILE) }),
    format: 'esm',
    target: `node${LAMBDA_NODE_MAJOR}`,
    platform: 'node',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: false,
    banner: { js: REQUIRE_BANNER },
    // Ship the SDK we test against instead of the runtime's copy (whatever version it happens to be).
    external: [],
    ...(options.envCredentialsOnly ?? true ? { alias: ENV_CREDENTIALS_ALIAS } : {}),
    metafile: true,
    logLevel: 'silent',
  };
}

/** Bundles `entry` into `outdir` (which should be empty); throws with esbuild's messages on failure. */
export function bundleLambda(entry: string, outdir: string, options: LambdaBundleOptions = {}): LambdaBundle {
  const result = buildSync(lambdaBuildOptions(entry, outdir, options));
  if (result.errors.length > 0) throw new Error(`esbuild failed for ${entry}: ${result.errors.map((error) => error.text).join('; ')}`);
  const metafile = result.metafile!;
  const absolute = (key: string) => resolve(PROJECT_ROOT, key);
  const entryKey = Object.keys(metafile.outputs).find((key) => absolute(key) === resolve(outdir, HANDLER_FILE));
  if (!entryKey) throw new Error(`esbuild wrote no ${HANDLER_FILE} for ${entry}`);

  // What `import('index.mjs')` makes Node load: the entry and, transitively, its static imports.
  const loaded = new Set<string>();
  const visit = (key: string) => {
    if (loaded.has(key)) return;
    loaded.add(key);
    for (const imported of metafile.outputs[key]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entryKey);

  const files = Object.entries(metafile.outputs)
    .map(([key, output]) => ({ path: relative(outdir, absolute(key)).split(sep).join('/'), bytes: output.bytes, loadedAtImport: loaded.has(key) }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const sum = (list: BundledFile[]) => list.reduce((total, file) => total + file.bytes, 0);
  return { outdir, files, bytesAtImport: sum(files.filter((file) => file.loadedAtImport)), bytesTotal: sum(files), metafile };
}
