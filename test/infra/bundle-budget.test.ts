/**
 * Issue #18: every event-path Lambda loads ≤ 450 KB at import (the figure `npm run bench:bundles`
 * reports; it comes from esbuild's metafile, so it is deterministic, not a timing). A static import
 * of something the first event does not need (an adapter, an SDK client, the diagnosis, the sweep's
 * triage/follow-up use cases) shows up here before it ships.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleLambda } from '../../lib/bundling/lambda-bundle';

const BUDGET_BYTES = 450 * 1024;
const HANDLERS = join(__dirname, '..', '..', 'lambdas', 'handlers');

describe.each(['triage', 'sweep', 'follow-up'])('%s bundle', (name) => {
  const outdir = mkdtempSync(join(tmpdir(), `budget-${name}-`));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('loads at most 450 KB at import and keeps the lazy parts in chunks', () => {
    const bundle = bundleLambda(join(HANDLERS, `${name}.ts`), outdir);
    expect(bundle.bytesAtImport).toBeLessThanOrEqual(BUDGET_BYTES);
    // The lazily loaded parts still ship: the bundle is not smaller because code went missing.
    expect(bundle.bytesTotal).toBeGreaterThan(bundle.bytesAtImport);
  });
});

it('the sweep bundle loads the diagnosis and the triage/follow-up use cases only with import()', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'budget-sweep-lazy-'));
  try {
    const bundle = bundleLambda(join(HANDLERS, 'sweep.ts'), outdir);
    const atImport = new Set<string>();
    const shipped = new Set<string>();
    for (const [key, output] of Object.entries(bundle.metafile.outputs)) {
      const loaded = bundle.files.find((file) => join(outdir, file.path) === join(__dirname, '..', '..', key))?.loadedAtImport;
      for (const input of Object.keys(output.inputs)) {
        shipped.add(input);
        if (loaded) atImport.add(input);
      }
    }
    for (const lazy of ['lambdas/domain/diagnose.ts', 'lambdas/usecases/triage/evaluation.ts', 'lambdas/usecases/follow-up.ts', 'lambdas/adapters/ssm-mode-parameter.ts']) {
      expect(shipped).toContain(lazy);
      expect(atImport).not.toContain(lazy);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
