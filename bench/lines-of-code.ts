// Figures: lines of TypeScript per folder of agent/, now and at a base revision (default: the
// commit before the "one house" restructure, so the move of orchestration out of host/ shows),
// for the layout's promise that host/ holds adapters only and each command's work sits beside it.
// Counted from git's objects, so the work tree's uncommitted edits are not in "now"'s figure.
//
// Env: BENCH_BASE (a revision; default ed4cbeb), BENCH_DEPTH (folder depth under agent/, default 2).
import { execa } from 'execa';
import { repoRoot } from '../test/harness/bundle.js';

const BASE = process.env.BENCH_BASE ?? 'ed4cbeb';
const DEPTH = Number(process.env.BENCH_DEPTH) > 0 ? Number(process.env.BENCH_DEPTH) : 2;

const git = async (...args: string[]) =>
  (await execa('git', args, { cwd: repoRoot, maxBuffer: 256 * 1024 * 1024 })).stdout;

/** Folder (agent/<a>/<b>, cut at DEPTH) -> {files, lines} for the .ts files of one revision. */
async function count(rev: string): Promise<Map<string, { files: number; lines: number }>> {
  const paths = (await git('ls-tree', '-r', '--name-only', rev, 'agent')).split('\n').filter((p) => p.endsWith('.ts'));
  const folders = new Map<string, { files: number; lines: number }>();
  // One `git cat-file --batch` for all blobs: thousands of `git show` calls would dominate the run.
  const input = paths.map((p) => `${rev}:${p}`).join('\n');
  const { stdout } = await execa('git', ['cat-file', '--batch'], {
    cwd: repoRoot,
    input,
    encoding: 'buffer',
    maxBuffer: 256 * 1024 * 1024,
  });
  const out = Buffer.from(stdout);
  let at = 0;
  for (const path of paths) {
    const headerEnd = out.indexOf(0x0a, at);
    const size = Number(out.subarray(at, headerEnd).toString().split(' ')[2]);
    const body = out.subarray(headerEnd + 1, headerEnd + 1 + size);
    at = headerEnd + 1 + size + 1;
    const parts = path.split('/').slice(0, -1);
    const folder = parts.slice(0, DEPTH).join('/') || 'agent';
    const entry = folders.get(folder) ?? { files: 0, lines: 0 };
    entry.files += 1;
    entry.lines += body.toString('utf8').split('\n').length - (body.at(-1) === 0x0a ? 1 : 0);
    folders.set(folder, entry);
  }
  return folders;
}

async function main(): Promise<void> {
  const now = await count('HEAD');
  const base = await count(BASE).catch(() => undefined);
  if (!base) process.stdout.write(`(base ${BASE} is not in this clone: only HEAD is counted)\n`);
  const names = [...new Set([...now.keys(), ...(base?.keys() ?? [])])].sort();
  const cell = (e?: { files: number; lines: number }) => (e ? `${e.lines} (${e.files})` : '-');
  process.stdout.write(`lines (files) of agent/**/*.ts per folder: ${BASE} -> HEAD\n`);
  for (const name of names)
    process.stdout.write(
      `${name.padEnd(28)} ${cell(base?.get(name)).padStart(14)}  ${cell(now.get(name)).padStart(14)}\n`,
    );
  const total = (m?: Map<string, { files: number; lines: number }>) =>
    m ? [...m.values()].reduce((sum, e) => sum + e.lines, 0) : undefined;
  process.stdout.write(
    `${'total'.padEnd(28)} ${String(total(base) ?? '-').padStart(14)}  ${String(total(now)).padStart(14)}\n`,
  );
  const summary = Object.fromEntries(
    names.map((n) => [n, { base: base?.get(n)?.lines ?? 0, now: now.get(n)?.lines ?? 0 }]),
  );
  process.stdout.write(`${JSON.stringify({ bench: 'lines-of-code', base: BASE, folders: summary })}\n`);
}

await main();
