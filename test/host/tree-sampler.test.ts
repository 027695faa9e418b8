// bench/lib/tree-sampler.mjs, the daemon-rss bench's measure of a process tree's memory, on real
// processes of this host: pages that two processes share (two Node.js processes map one binary)
// count once, a process's own anonymous memory counts in full, and the harness's stand-ins are
// kept apart. It reads page frame numbers, which only root is shown.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/bundle.js';

const SAMPLER = join(repoRoot, 'bench', 'lib', 'tree-sampler.mjs');
const MB = 1024;

interface Sample {
  rssKB: number;
  ownKB: number;
  ownAnonKB: number;
  allKB: number;
  processes: { pid: number; rssKB: number }[];
}

describe('tree sampler (bench/lib/tree-sampler.mjs)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A Node.js process that holds `anonMB` of touched memory, started as `argv0` says. */
  async function holder(anonMB: number, script = '-e'): Promise<ChildProcess> {
    const code = `const b = Buffer.alloc(${anonMB} * 1048576, 1); console.log('ready'); setInterval(() => b[0]++, 1000);`;
    const args = script === '-e' ? ['-e', code] : [script];
    if (script !== '-e') await writeFile(script, code);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(async () => {
      child.kill('SIGKILL');
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
    });
    return child;
  }

  /** One sampler pass over these pids (a directory with a cgroup.procs file stands in for the cgroup). */
  async function measure(pids: number[]): Promise<Sample> {
    const dir = await mkdtemp(join(tmpdir(), 'edge-tree-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'cgroup.procs'), `${pids.join('\n')}\n`);
    const output = join(dir, 'peak.json');
    const sampler = spawn(process.execPath, [SAMPLER, dir, output, '50'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    sampler.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const text = await readFile(output, 'utf8').catch(() => '');
        if (text) return (JSON.parse(text) as { byAll: Sample }).byAll;
        if (sampler.exitCode !== null) throw new Error(`sampler exited ${sampler.exitCode}: ${stderr}`);
        if (Date.now() > deadline) throw new Error('sampler wrote nothing within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      sampler.kill('SIGKILL');
    }
  }

  it('counts the pages two processes share once, and each one’s own memory in full', async () => {
    const [a, b] = await Promise.all([holder(1), holder(1)]);
    const one = await measure([a.pid!]);
    const both = await measure([a.pid!, b.pid!]);
    // Summed RSS counts the node binary's pages twice; the set of frames holds them once.
    expect(both.rssKB).toBeGreaterThan(1.8 * one.rssKB);
    expect(both.allKB).toBeGreaterThanOrEqual(one.allKB);
    expect(both.allKB).toBeLessThan(both.rssKB - 10 * MB);
    // One process alone: every page it maps once, close to its RSS.
    expect(Math.abs(one.allKB - one.rssKB)).toBeLessThan(2 * MB);

    const big = await holder(64);
    const withBig = await measure([a.pid!, b.pid!, big.pid!]);
    // Its 64 MB of its own (anonymous, touched) are all counted.
    expect(withBig.ownAnonKB - both.ownAnonKB).toBeGreaterThan(60 * MB);
  });

  it('keeps the harness’s stand-ins out of the budget figure, but in the one with them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edge-tree-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const own = await holder(1);
    const standIn = await holder(32, join(dir, 'harness-stand-in.mjs'));
    const sample = await measure([own.pid!, standIn.pid!]);
    expect(sample.processes.map((p) => p.pid).sort()).toEqual([own.pid, standIn.pid].sort());
    expect(sample.allKB - sample.ownKB).toBeGreaterThan(30 * MB);
  });
});
