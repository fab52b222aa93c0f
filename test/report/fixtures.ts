/** The example snapshots (examples/*.json) and a fixed report context for the report tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportContext } from '../../lambdas/domain/report/rows';
import { DEFAULT_SETTINGS } from '../../lambdas/domain/settings';
import { parseSnapshot } from '../../lambdas/domain/snapshot-schema';
import type { NodeSnapshot } from '../../lambdas/domain/types';

export const EXAMPLES_DIR = join(__dirname, '..', '..', 'examples');

export function exampleSnapshots(): NodeSnapshot[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => parseSnapshot(JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')), file));
}

export function exampleSnapshot(file: string): NodeSnapshot {
  return parseSnapshot(JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')), file);
}

/** The examples are all captured at 2026-11-20T14:05:12Z in eu-west-1. */
export const CONTEXT: ReportContext = {
  account: '123456789012',
  region: 'eu-west-1',
  generatedAt: '2026-11-20T14:05:12.000Z',
  settings: DEFAULT_SETTINGS,
};
