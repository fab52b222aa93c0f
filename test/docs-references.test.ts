/** Every repository path the README and docs/ name exists (docs must not point at files that are not there). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const documents = ['README.md', 'examples/README.md', ...readdirSync(join(root, 'docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`)];

/** Backticked paths under the repository's top folders, or with a source/doc extension. */
function pathsIn(text: string): string[] {
  const paths = new Set<string>();
  for (const match of text.matchAll(/`([^`\s]+)`/g)) {
    const candidate = match[1]!.replace(/[:,.)]+$/, '');
    if (/[<>*{}$]|^https?:|^\/|^%|::/.test(candidate)) continue;
    if (/^(bin|lib|lambdas|sim|bench|test|docs|examples|\.ci)\//.test(candidate) || /^[\w.-]+\.(ts|md|json)$/.test(candidate)) paths.add(candidate);
  }
  return [...paths];
}

/** Base names of the repository's files: a bare `asff.ts` next to its folder's path names one of them. */
function repositoryBaseNames(dir = root, names = new Set<string>()): Set<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'cdk.out', '.git', 'coverage', '.sim-out'].includes(entry.name)) continue;
    if (entry.isDirectory()) repositoryBaseNames(join(dir, entry.name), names);
    else names.add(entry.name);
  }
  return names;
}
const baseNames = repositoryBaseNames();

it.each(documents)('%s names only files and folders that exist', (document) => {
  const missing = pathsIn(readFileSync(join(root, document), 'utf8')).filter((path) =>
    path.includes('/') ? !existsSync(join(root, path)) : !baseNames.has(path),
  );
  expect(missing).toEqual([]);
});
