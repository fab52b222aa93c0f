/**
 * The README's commands as a user types them: `npm run -s <cli> -- … --json | jq` must get pure JSON
 * on stdout (npm's `-s` keeps its banner off stdout; the CLIs log nothing there), and `simulate`
 * follows `diagnose`'s exit codes (2 for bad input).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function npmRun(args: string[]) {
  const result = spawnSync('npm', ['run', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

it('npm run -s diagnose -- --snapshot … --json: stdout is one JSON document', () => {
  const { code, stdout } = npmRun(['-s', 'diagnose', '--', '--snapshot', 'examples/pending-reboot.json', '--json']);
  expect(code).toBe(0);
  const report = JSON.parse(stdout) as { instanceId: string; decision: { action: string } };
  expect(report).toMatchObject({ instanceId: 'i-0e3b07d5b6f83a4d9', decision: { action: 'REBOOT_NODE' } });
});

it('without -s, npm prints its own banner on stdout (why the README says npm run -s)', () => {
  const { code, stdout } = npmRun(['diagnose', '--', '--snapshot', 'examples/pending-reboot.json', '--json']);
  expect(code).toBe(0);
  expect(() => JSON.parse(stdout)).toThrow();
  expect(stdout).toContain('> tsx bin/diagnose.ts');
});

it.each([
  [['--nodes', 'abc'], '--nodes needs a positive number, got "abc"'],
  [['--bogus'], 'unknown option --bogus'],
  [['--nodes', '2.5'], '--nodes must be an integer'],
])('simulate %j: exit 2 (bad input, as diagnose), the message names the flag', (args, message) => {
  const { code, stdout, stderr } = npmRun(['-s', 'simulate', '--', ...args]);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr).toContain(`simulate: ${message}`);
});

it('diagnose with a bad argument exits 2 as well', () => {
  const { code, stderr } = npmRun(['-s', 'diagnose', '--', '--snapshot']);
  expect(code).toBe(2);
  expect(stderr).toMatch(/^diagnose: /);
});
