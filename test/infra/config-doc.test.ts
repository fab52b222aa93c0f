/** docs/CONFIGURATION.md must list every option with its real default and so must README.md (it copies the table). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config';

const read = (file: string) => readFileSync(join(__dirname, '..', '..', file), 'utf8');

function documentedDefaults(doc: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of doc.matchAll(/^\| `([A-Za-z]+)` \| `([^`]*)` \|/gm)) rows.set(match[1]!, match[2]!);
  return rows;
}

it.each(['docs/CONFIGURATION.md', 'README.md'])('%s documents every option, and only existing ones, with its actual default', (file) => {
  const { infra, settings } = loadConfig({});
  const actual = new Map(Object.entries({ ...infra, ...settings }).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
  expect(Object.fromEntries(documentedDefaults(read(file)))).toEqual(Object.fromEntries(actual));
});
