// The boot record store: atomic writes survive kill -9, a full disk gives a clear error and no
// corrupt state, corrupt records are moved aside, and an older agent reads a newer record.
import { execa } from 'execa';
import { mkdtemp, readdir, readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createBootRecords } from '../../agent/host/record-store.js';
import { systemClock } from '../../agent/host/clock.js';
import { createHostFs } from '../../agent/host/fs.js';
import { StateWriteError } from '../../agent/errors.js';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

async function store(warnings: string[] = []) {
  const root = await mkdtemp(join(tmpdir(), 'edge-records-'));
  roots.push(root);
  const records = createBootRecords({
    fs: createHostFs(root),
    clock: systemClock,
    dir: '/var/lib/edge-agent/boots',
    warn: (m) => warnings.push(m),
  });
  return { root, records, dir: join(root, 'var/lib/edge-agent/boots') };
}

// This checkout's root, wherever it was cloned: the child processes below import its agent code.
const repo = fileURLToPath(new URL('../..', import.meta.url));

const id = (n: number) => n.toString(16).padStart(32, '0');

/** Whether the record shows at least two complete writes by the given round's writer. */
async function progressed(file: string, round: number): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => '');
  try {
    const record = JSON.parse(text) as { round?: number; counter?: number };
    return record.round === round && (record.counter ?? 0) >= 2;
  } catch {
    return false;
  }
}

describe('boot records', () => {
  it('moves a corrupt or truncated record aside with a warning and goes on', async () => {
    const warnings: string[] = [];
    const { records, dir } = await store(warnings);
    await records.update(id(1), (r) => (r.verdict = 'green'));
    await writeFile(join(dir, `${id(2)}.json`), '{"schema":1,"bootId":"0000', 'utf8');
    const list = await records.list();
    expect(list.map((r) => r.bootId)).toEqual([id(1)]);
    expect(warnings.join('\n')).toMatch(/unreadable \(truncated or corrupt\); moved it aside/);
    expect((await readdir(dir)).some((n) => n.startsWith(`${id(2)}.json.corrupt-`))).toBe(true);
    // The store keeps working: the corrupt boot gets a fresh record.
    await records.update(id(2), (r) => (r.verdict = 'red'));
    expect((await records.read(id(2)))?.verdict).toBe('red');
  });

  it('reads a record a newer edge-agent wrote and keeps the fields it does not know', async () => {
    const { records, dir } = await store();
    await mkdir(dir, { recursive: true });
    const newer = {
      schema: 7,
      bootId: id(3),
      verdict: 'green',
      futureField: { nested: [1, 2] },
      checks: { required: { startedAt: 'x', results: [], newKey: true } },
    };
    await writeFile(join(dir, `${id(3)}.json`), JSON.stringify(newer));
    await records.update(id(3), (r) => (r.knownGood = true));
    const written = JSON.parse(await readFile(join(dir, `${id(3)}.json`), 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({
      schema: 7,
      futureField: { nested: [1, 2] },
      knownGood: true,
      checks: { required: { newKey: true } },
    });
  });

  it('keeps only the newest records', async () => {
    const { records } = await store();
    for (let n = 1; n <= 8; n++) await records.update(id(n), () => undefined);
    expect(await records.prune(5)).toBe(3);
    expect((await records.list()).map((r) => r.bootId)).toEqual([8, 7, 6, 5, 4].map(id));
  });

  it('never leaves a broken record when the writer is killed with SIGKILL mid-write', async () => {
    const { root, dir } = await store();
    // A writer that rewrites one large record as fast as it can.
    const script = `
      import { createBootRecords } from '${join(repo, 'agent/host/record-store.ts')}';
      import { createHostFs } from '${join(repo, 'agent/host/fs.ts')}';
      import { systemClock } from '${join(repo, 'agent/host/clock.ts')}';
      const records = createBootRecords({ fs: createHostFs(${JSON.stringify(root)}), clock: systemClock, dir: '/var/lib/edge-agent/boots', warn: () => {} });
      for (let i = 0; ; i++) await records.update('${id(9)}', (r) => { r.filler = 'x'.repeat(200000 + i); r.round = Number(process.env.ROUND); r.counter = i; });
    `;
    for (let round = 0; round < 5; round++) {
      const child = execa('node', ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: repo,
        env: { ROUND: String(round) },
        reject: false,
      });
      // Kill it only once this round's writer is seen rewriting (its counter at 2 or more): how
      // long tsx takes to start depends on the machine's load, so a fixed delay could kill it
      // before its first write and prove nothing.
      const deadline = Date.now() + 30_000;
      while (
        !(await progressed(join(dir, `${id(9)}.json`), round)) &&
        Date.now() < deadline &&
        child.exitCode === null
      ) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      child.kill('SIGKILL');
      const result = await child;
      expect(result.signal, String(result.stderr)).toBe('SIGKILL');
      const text = await readFile(join(dir, `${id(9)}.json`), 'utf8');
      expect(() => JSON.parse(text)).not.toThrow();
      expect(await progressed(join(dir, `${id(9)}.json`), round)).toBe(true);
    }
    const left = (await readdir(dir)).filter((n) => n.endsWith('.json'));
    expect(left).toEqual([`${id(9)}.json`]);
  }, 60_000);

  it('reports a full disk clearly and keeps the previous record', async () => {
    const { root } = await store();
    // A 64 KiB tmpfs in a private mount namespace: the record cannot fit.
    const script = `
      set -e
      mount -t tmpfs -o size=64k tmpfs ${root}
      cd '${repo}'
      node --import tsx --input-type=module -e '
        import { createBootRecords } from "./agent/host/record-store.ts";
        import { createHostFs } from "./agent/host/fs.ts";
        import { systemClock } from "./agent/host/clock.ts";
        import { readFile } from "node:fs/promises";
        const records = createBootRecords({ fs: createHostFs("${root}"), clock: systemClock, dir: "/boots", warn: () => {} });
        await records.update("${id(4)}", (r) => { r.verdict = "green"; });
        try {
          await records.update("${id(4)}", (r) => { r.filler = "x".repeat(200000); });
          console.log("no error");
        } catch (e) {
          console.log(e.name + ": " + e.message);
        }
        console.log(JSON.parse(await readFile("${root}/boots/${id(4)}.json", "utf8")).verdict);
      '
    `;
    const result = await execa('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', script], {
      reject: false,
      all: true,
    });
    expect(result.all).toContain(
      `${StateWriteError.name}: cannot write ${root}/boots/${id(4)}.json: no space left on device`,
    );
    expect(String(result.stdout).trim().split('\n').at(-1)).toBe('green');
  }, 60_000);
});
