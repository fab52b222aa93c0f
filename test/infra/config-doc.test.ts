/** docs/CONFIGURATION.md must list every option with its real default (the README copies the table). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config';

const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'CONFIGURATION.md'), 'utf8');

function documentedDefaults(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of doc.matchAll(/^\| `([A-Za-z]+)` \| `([^`]*)` \|/gm)) rows.set(match[1]!, match[2]!);
  return rows;
}

it('documents every option, and only existing ones, with its actual default', () => {
  const { infra, settings } = loadConfig({});
  const actual = new Map(Object.entries({ ...infra, ...settings }).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
  expect(Object.fromEntries(documentedDefaults())).toEqual(Object.fromEntries(actual));
});
