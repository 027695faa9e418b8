// The boot-record lock when its holder is killed -9: the waiters that arrive together take it
// over one at a time (every confirmed update kept), and the temp file the killed writer left in
// the boots directory is removed. Real processes, real kill -9.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBootRecords } from '../../agent/host/record-store.js';
import { systemClock } from '../../agent/host/clock.js';
import { createHostFs } from '../../agent/host/fs.js';
import { withLock } from '../../agent/host/lock.js';
import { killWriter, staleLockRound, startRecordWriter, type RecordWriter } from '../harness/records/record-writers.js';

const DIR = '/var/lib/edge-agent/boots';
const BOOT = 'ab'.repeat(16);
let root = '';
const writers: RecordWriter[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'edge-record-lock-'));
});
afterAll(async () => {
  for (const writer of writers.splice(0)) await killWriter(writer);
  await rm(root, { recursive: true, force: true });
});

const boots = () => join(root, DIR);
const readCounter = async () => {
  const text = await readFile(join(boots(), `${BOOT}.json`), 'utf8').catch(() => undefined);
  return text === undefined ? 0 : ((JSON.parse(text) as { counter?: number }).counter ?? 0);
};

describe('record lock with a killed holder', () => {
  it('keeps every update of six writers that start together after the holder is killed -9, over 30 rounds', async () => {
    for (let i = 0; i < 6; i++) writers.push(await startRecordWriter(root, DIR, BOOT));
    const rounds = [];
    for (let round = 0; round < 30; round++)
      rounds.push(await staleLockRound({ root, dir: DIR, bootId: BOOT, writers, perWriter: 2, readCounter }));
    expect(rounds.flatMap((r) => r.errors)).toEqual([]);
    expect(rounds.map((r) => r.lost)).toEqual(rounds.map(() => 0));
    expect(await readCounter()).toBe(30 * 6 * 2);
    // Each killed holder left a temp file; the writer that took its lock over removed it.
    const names = await readdir(boots());
    expect(names.filter((n) => n.endsWith('.tmp') || n.endsWith('.new'))).toEqual([]);
    expect(names).not.toContain('.records.lock');
  }, 180_000);

  it("removes temp files of dead writers and old ones, and keeps a live writer's fresh one", async () => {
    const warnings: string[] = [];
    const records = createBootRecords({
      fs: createHostFs(root),
      clock: systemClock,
      dir: DIR,
      warn: (m) => warnings.push(m),
    });
    const dead = await startRecordWriter(root, DIR, BOOT);
    const deadPid = dead.proc.pid ?? 0;
    await killWriter(dead);
    await mkdir(boots(), { recursive: true });
    const now = Date.now();
    const files = {
      dead: `.${BOOT}.json.${deadPid}.${now}.abc123.tmp`,
      old: `.${BOOT}.json.${process.pid}.${now - 3_600_000}.abc123.tmp`,
      live: `.${BOOT}.json.${process.pid}.${now}.abc123.tmp`,
      staging: `.records.lock.${deadPid}.x1y2z3.new`,
    };
    for (const name of Object.values(files)) {
      if (name.endsWith('.new')) await mkdir(join(boots(), name));
      else await writeFile(join(boots(), name), '{');
    }
    await records.prune(10);
    const left = await readdir(boots());
    expect(left).toContain(files.live);
    expect(left).not.toContain(files.dead);
    expect(left).not.toContain(files.old);
    expect(left).not.toContain(files.staging);
  });

  it('gives the lock to one holder at a time within a process, and to a waiter once the holder is done', async () => {
    const fs = createHostFs(root);
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withLock(fs, systemClock, '/var/lib/edge-agent/same.lock', async () => {
          inside++;
          most = Math.max(most, inside);
          await systemClock.sleep(5);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
  });

  it('reports a file where the lock directory belongs instead of waiting on it', async () => {
    const fs = createHostFs(root);
    await writeFile(join(root, 'var/lib/edge-agent/file.lock'), '123\n');
    await expect(withLock(fs, systemClock, '/var/lib/edge-agent/file.lock', async () => 1)).rejects.toThrow(
      /cannot take the lock .*file\.lock: /,
    );
  });
});
