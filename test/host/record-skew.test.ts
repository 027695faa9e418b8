// A rolled-back edge-agent and the records the newer one wrote, on disk: nothing is moved
// aside, `history` shows what it could not read, and an update (as `boot green`/`boot red` and
// the daemon make) writes the record back with every value it could not read still there.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { historyEntries, renderHistory } from '../../agent/core/render-history.js';
import { createBootRecords } from '../../agent/host/record-store.js';
import { systemClock } from '../../agent/host/clock.js';
import { createHostFs } from '../../agent/host/fs.js';
import { readStatusRecords } from '../../agent/commands/status/records.js';

const DIR = '/var/lib/edge-agent/boots';
const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

const OLD = 'a1'.repeat(16);
const NOW = 'b2'.repeat(16);
// As a future schema (3) would write it: a verdict value and check class this version does not
// know, a field whose type changed, and fields it has never heard of.
const future = {
  schema: 3,
  bootId: OLD,
  firstSeenAt: '2026-11-30T10:00:00.000Z',
  deployment: { checksum: 'c0ffee', version: '9.9' },
  verdict: 'quarantined',
  verdictAt: { at: '2026-11-30T10:05:00.000Z', by: 'fleet' },
  checks: {
    required: {
      startedAt: 's',
      verdict: 'fail',
      results: [
        {
          id: 'microshift',
          class: 'critical',
          startedAt: 's',
          endedAt: 'e',
          durationMs: 9,
          outcome: 'fail',
          reason: 'pods',
          message: 'pods not ready',
        },
      ],
    },
  },
  signature: 'sig',
};

async function store() {
  const root = await mkdtemp(join(tmpdir(), 'edge-record-skew-'));
  roots.push(root);
  await mkdir(join(root, DIR), { recursive: true });
  await writeFile(join(root, DIR, `${OLD}.json`), JSON.stringify(future, null, 2));
  const warnings: string[] = [];
  const records = createBootRecords({
    fs: createHostFs(root),
    clock: systemClock,
    dir: DIR,
    warn: (m) => warnings.push(m),
  });
  return { root, records, warnings };
}

describe('records written by a newer edge-agent', () => {
  it('are listed, not moved aside, and history says what this version could not read', async () => {
    const { root, records, warnings } = await store();
    const list = await records.list();
    expect(list.map((r) => r.bootId)).toEqual([OLD]);
    expect(warnings).toEqual([]);
    expect(await readdir(join(root, DIR))).toEqual([`${OLD}.json`]);
    const text = renderHistory(historyEntries(list, 10, (r) => records.newerValues(r)));
    // The verdict it wrote cannot be read, its failed required checks can: red, as status says too.
    expect(text).toContain('RED       9.9 (c0ffee)');
    expect(text).toContain(
      'written by a newer edge-agent (checks.required.results[id=microshift]: {"id":"microshift","class":"critical",',
    );
    expect(text).toContain('; verdict: "quarantined"; verdictAt: {"at":"2026-11-30T10:05:00.000Z","by":"fleet"})');
  });

  it('keep every value this version could not read through an update, and the update itself', async () => {
    const { root, records } = await store();
    await records.update(OLD, (r) => {
      r.knownGood = true;
      r.actions = [
        ...(r.actions ?? []),
        { id: 'stop-microshift', startedAt: 's', endedAt: 'e', outcome: 'done', message: 'stopped' },
      ];
    });
    const written = JSON.parse(await readFile(join(root, DIR, `${OLD}.json`), 'utf8')) as Record<string, unknown>;
    expect(written).toEqual({
      ...future,
      knownGood: true,
      actions: [{ id: 'stop-microshift', startedAt: 's', endedAt: 'e', outcome: 'done', message: 'stopped' }],
    });
    // A verdict this version sets replaces the one it could not read; the rest stays.
    await records.update(OLD, (r) => void (r.verdict = 'red'));
    const red = JSON.parse(await readFile(join(root, DIR, `${OLD}.json`), 'utf8')) as Record<string, unknown>;
    expect(red).toMatchObject({
      verdict: 'red',
      verdictAt: future.verdictAt,
      checks: future.checks,
      signature: 'sig',
      knownGood: true,
    });
  });

  it('are read by status with a note, and this boot is not disturbed by them', async () => {
    const { root } = await store();
    await writeFile(
      join(root, DIR, `${NOW}.json`),
      JSON.stringify({ schema: 1, bootId: NOW, firstSeenAt: '2026-12-01T10:00:00.000Z', verdict: 'green', checks: {} }),
    );
    const read = await readStatusRecords(createHostFs(root), DIR, NOW);
    expect(read.record.state === 'ok' && read.record.value?.verdict).toBe('green');
    const history = read.history.state === 'ok' ? read.history.value : [];
    expect(history.map((h) => h.bootId)).toEqual([NOW, OLD]);
    expect(history[0]?.newerNote).toBeUndefined();
    expect(history[1]?.newerNote).toMatch(/^written by a newer edge-agent \(.*verdict: "qu/);
  });
});
