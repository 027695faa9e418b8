// `npm run bench [-- NAME...]`: runs the benchmarks under bench/ (each top-level bench/*.ts, with
// tsx) one after another, or only the named ones (`npm run bench -- check-cpu`). Benchmarks print
// figures, not pass/fail: this exits non-zero only when a benchmark could not make its
// measurement. The environment passes through (BENCH_WAIT_SEC, BENCH_RUNS, BENCH_KUBECTL, ...).
// Each benchmark's last stdout line is a JSON summary; all of them are repeated at the end.
// Needs root (virtual edge devices), like the integration tests. Runs on a supported Node.js line
// (scripts/node-runtimes.mjs): EDGE_AGENT_BENCH_NODE=22 or 24 (default: the newest).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRuntime, supportedMajors } from './node-runtimes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');
const available = readdirSync(benchDir)
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
  .map((name) => name.slice(0, -3))
  .sort();

const wanted = process.argv.slice(2).map((arg) => arg.replace(/^bench\//, '').replace(/\.ts$/, ''));
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`bench: no benchmark named ${unknown.join(', ')} (available: ${available.join(', ')})\n`);
  process.exit(64);
}
const selected = wanted.length > 0 ? wanted : available;
const runtimeBin = join(ensureRuntime(Number(process.env.EDGE_AGENT_BENCH_NODE ?? supportedMajors.at(-1))), 'bin');
const benchEnv = { ...process.env, PATH: `${runtimeBin}:${process.env.PATH}` };

// Ctrl-C reaches the running benchmark too (same process group) and it disposes of its devices
// before it exits: stay alive meanwhile to pass its output on. A SIGTERM sent to this script alone
// is handed on. Either way no further benchmark starts.
let current;
let stopping = false;
process.on('SIGINT', () => (stopping = true));
process.on('SIGTERM', () => {
  stopping = true;
  current?.kill('SIGTERM');
});

/** Run one benchmark, echoing its output; resolves to its exit code and last JSON line. */
function run(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    process.stdout.write(`\n== bench/${name}.ts\n`);
    const child = spawn(join(runtimeBin, 'node'), ['--import', 'tsx', join('bench', `${name}.ts`)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: benchEnv,
    });
    current = child;
    let summary;
    let partial = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('{')) summary = line;
    });
    child.on('close', (code, signal) => {
      current = undefined;
      if (partial.startsWith('{')) summary = partial;
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      process.stdout.write(
        `== bench/${name}.ts: ${code === 0 ? 'done' : `FAILED (${signal ?? `exit ${code}`})`} in ${seconds} s\n`,
      );
      resolve({ name, code: code ?? 1, summary });
    });
  });
}

const results = [];
for (const name of selected) {
  if (stopping) break;
  results.push(await run(name));
}
process.stdout.write('\n== summary\n');
for (const r of results)
  process.stdout.write(`${r.summary ?? JSON.stringify({ bench: r.name, error: `no summary (exit ${r.code})` })}\n`);
process.exit(!stopping && results.every((r) => r.code === 0) ? 0 : 1);
