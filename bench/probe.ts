/**
 * Child-process probes of `bench/bundles.ts`: time a bundle's cold `import()` (and its first handler
 * call on a real event) in a fresh `node`, or count its instructions under callgrind.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** ES module run by every probe process: argv = bundle (or "-" for none), mode, event file. */
const PROBE_SOURCE = `import { readFileSync } from 'node:fs';
const [bundle, mode, eventFile] = process.argv.slice(2);
const started = performance.now();
const module = bundle === '-' ? undefined : await import(bundle);
const importMs = performance.now() - started;
let firstCallMs = null;
let error = null;
if (module && mode === 'first-call') {
  const event = eventFile ? JSON.parse(readFileSync(eventFile, 'utf8')) : {};
  const context = {
    functionName: 'bench', functionVersion: '$LATEST', memoryLimitInMB: '512', awsRequestId: 'bench-request',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:bench', logGroupName: 'bench', logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 60000,
  };
  try { await module.handler(event, context); } catch (caught) { error = String(caught && caught.stack || caught); }
  firstCallMs = performance.now() - started;
}
process.stdout.write('\\nPROBE ' + JSON.stringify({ importMs, firstCallMs, error }) + '\\n');
// SDK keep-alive sockets would hold the process open.
process.exit(0);
`;

export function writeProbe(dir: string): string {
  const path = join(dir, 'probe.mjs');
  writeFileSync(path, PROBE_SOURCE);
  return path;
}

export interface ProbeResult {
  importMs: number;
  /** Import + first handler call, from the start of the import. */
  firstCallMs: number | null;
  error: string | null;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the local AWS the child calls is served by this process's event loop.
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function probe(probePath: string, bundle: string, mode: 'import' | 'first-call', eventFile: string | undefined, env: NodeJS.ProcessEnv): Promise<ProbeResult> {
  const result = await run(process.execPath, [probePath, bundle, mode, ...(eventFile ? [eventFile] : [])], env);
  const line = result.stdout.split('\n').find((text) => text.startsWith('PROBE '));
  if (result.code !== 0 || !line) throw new Error(`probe of ${bundle} failed (exit ${result.code}): ${result.stderr || result.stdout}`);
  return JSON.parse(line.slice('PROBE '.length)) as ProbeResult;
}

/**
 * Instructions executed by `node probe.mjs <bundle> import` under `valgrind --tool=callgrind`.
 * `--single-threaded` keeps V8's background compile/GC threads from moving work between runs, which
 * makes the count repeatable (wall time on this shared VM is not).
 */
export async function countInstructions(probePath: string, bundle: string, env: NodeJS.ProcessEnv): Promise<number> {
  const result = await run(
    'valgrind',
    ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--single-threaded', probePath, bundle, 'import'],
    env,
  );
  const collected = result.stderr.match(/Collected\s*:\s*(\d+)/);
  if (result.code !== 0 || !collected) throw new Error(`callgrind of ${bundle} failed (exit ${result.code}): ${result.stderr.slice(-2000)}`);
  return Number(collected[1]);
}

export async function valgrindInstalled(): Promise<boolean> {
  try {
    return (await run('valgrind', ['--version'], { PATH: process.env['PATH'] })).code === 0;
  } catch {
    return false;
  }
}
