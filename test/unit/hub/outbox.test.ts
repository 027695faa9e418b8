// The outbox against a temp directory: order, acks across reopen, caps with priority eviction,
// drop reports, torn tails, corrupt records in the middle, and disk use staying near the live size.
import { appendFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHostFs } from '../../../agent/host/fs.js';
import { openOutbox, type Outbox, type OutboxItem, type OutboxLimits } from '../../../agent/hub/outbox.js';
import { encodeRecord, scanRecords, segmentName } from '../../../agent/hub/outbox-records.js';
import type { HubEventRecord } from '../../../agent/core/hub/payloads.js';
import { FakeClock } from '../../fakes/clock.js';

let root = '';
const dir = '/var/lib/edge-agent/outbox';
const clock = new FakeClock();
let warnings: string[] = [];
let seq = 0;
let opened: Outbox[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'outbox-'));
  warnings = [];
  seq = 0;
  opened = [];
});

afterEach(async () => {
  for (const outbox of opened) await outbox.close().catch(() => undefined);
  await rm(root, { recursive: true, force: true });
});

async function open(limits: Partial<OutboxLimits> = {}, segmentBytes?: number): Promise<Outbox> {
  const outbox = await openOutbox(
    dir,
    { maxBytes: 1 << 20, maxEvents: 1000, ...limits },
    { fs: createHostFs(root), clock, log: { warn: (m) => warnings.push(m) }, segmentBytes },
  );
  opened.push(outbox);
  return outbox;
}

function event(type = 'check-failed', body: unknown = {}): HubEventRecord {
  seq += 1;
  return {
    id: `E${String(seq).padStart(25, '0')}`,
    type,
    time: new Date(clock.now()).toISOString(),
    body: { n: seq, ...(body as object) },
  };
}

const ids = (items: OutboxItem[]) => items.map((i) => (i.kind === 'event' ? i.event.id : `drops:${i.report.count}`));
const bodyN = (items: OutboxItem[]) =>
  items.flatMap((i) => (i.kind === 'event' ? [(i.event.body as { n: number }).n] : []));
const real = (...parts: string[]) => join(root, dir, ...parts);

describe('outbox index on reopen', () => {
  it('indexes records whose payload does not lead with id and type (another writer) like its own', async () => {
    const own = event('rollback-detected');
    const other = event();
    const reordered = { body: other.body, time: other.time, type: other.type, id: other.id };
    const accented = { ...event(), id: 'E\u00e9-not-plain-ascii' };
    await (await open()).close();
    await writeFile(
      real(segmentName(1)),
      Buffer.concat(
        [own, reordered, accented].map((e, i) => encodeRecord(i + 1, false, Buffer.from(JSON.stringify(e)))),
      ),
    );
    const again = await open({ maxEvents: 3 });
    expect(ids(await again.peek(10))).toEqual([own.id, other.id, accented.id]);
    // Acks find the entries by the ids the index read.
    await again.ack([other.id]);
    expect(ids(await again.peek(10))).toEqual([own.id, accented.id]);
    // An eviction counts the evicted event under the type the index read (none of these records
    // is flagged priority, so the oldest goes).
    await again.enqueue(event());
    await again.enqueue(event());
    const items = await again.peek(10);
    expect(items[0]?.kind === 'drops' && items[0].report.byType).toEqual({ 'rollback-detected': 1 });
  });
});

describe('outbox order and acks', () => {
  it('hands events out in enqueue order until acked, also after reopen', async () => {
    const outbox = await open();
    const events = Array.from({ length: 5 }, () => event());
    for (const e of events) expect(await outbox.enqueue(e)).toEqual({ stored: true, evicted: 0 });
    expect(ids(await outbox.peek(10))).toEqual(events.map((e) => e.id));
    expect(await outbox.peek(2)).toEqual(events.slice(0, 2).map((e) => ({ kind: 'event', event: e })));
    await outbox.ack([events[0]!.id, events[1]!.id, 'unknown-id']);
    expect(ids(await outbox.peek(10))).toEqual(events.slice(2).map((e) => e.id));
    await outbox.close();
    const again = await open();
    expect(ids(await again.peek(10))).toEqual(events.slice(2).map((e) => e.id));
    expect(again.size().events).toBe(3);
  });

  it('survives a process that never closed it (everything enqueued was fsyncd)', async () => {
    const first = await open();
    const events = Array.from({ length: 3 }, () => event());
    for (const e of events) await first.enqueue(e);
    await first.ack([events[0]!.id]);
    const second = await openOutbox(dir, { maxBytes: 1 << 20, maxEvents: 1000 }, { fs: createHostFs(root), clock });
    opened.push(second);
    expect(ids(await second.peek(10))).toEqual(events.slice(1).map((e) => e.id));
  });

  it('ignores a second enqueue of the same id', async () => {
    const outbox = await open();
    const e = event();
    await outbox.enqueue(e);
    await outbox.enqueue(e);
    expect(outbox.size().events).toBe(1);
  });

  it('keeps order across many segments and group commits', async () => {
    const outbox = await open({}, 2048);
    const events = Array.from({ length: 200 }, () => event());
    await outbox.enqueueMany(events.slice(0, 100));
    for (const e of events.slice(100)) await outbox.enqueue(e);
    expect((await readdir(real())).filter((n) => n.startsWith('seg-')).length).toBeGreaterThan(5);
    const seen: number[] = [];
    for (let round = 0; round < 50 && outbox.size().events > 0; round += 1) {
      const items = await outbox.peek(17);
      seen.push(...bodyN(items));
      await outbox.ack(ids(items));
    }
    expect(seen).toEqual(events.map((_, i) => i + 1));
    expect((await readdir(real())).filter((n) => n.startsWith('seg-')).length).toBeLessThanOrEqual(1);
  });

  it('refuses an event too large to queue', async () => {
    const outbox = await open({ maxBytes: 65536 });
    await expect(outbox.enqueue(event('check-failed', { message: 'x'.repeat(20000) }))).rejects.toThrow(
      /at most 16384/,
    );
  });
});

describe('outbox caps', () => {
  it('evicts the oldest events beyond maxEvents and reports the drops first', async () => {
    const outbox = await open({ maxEvents: 5 });
    const events = Array.from({ length: 8 }, () => event());
    for (const e of events) await outbox.enqueue(e);
    expect(outbox.size().events).toBe(5);
    expect(outbox.dropped()).toEqual({ total: 3, unreported: 3 });
    const items = await outbox.peek(10);
    expect(items[0]).toMatchObject({ kind: 'drops', report: { count: 3, total: 3, byType: { 'check-failed': 3 } } });
    expect(bodyN(items)).toEqual([4, 5, 6, 7, 8]);
  });

  it('evicts other types before boot-verdict and rollback-detected', async () => {
    const outbox = await open({ maxEvents: 4 });
    const verdict = event('boot-verdict');
    const rollback = event('rollback-detected');
    await outbox.enqueue(verdict);
    await outbox.enqueue(rollback);
    for (let i = 0; i < 5; i += 1) await outbox.enqueue(event('check-failed'));
    // 2 priority + the 2 newest ordinary events
    expect(bodyN(await outbox.peek(10))).toEqual([1, 2, 6, 7]);
    expect(outbox.dropped().total).toBe(3);
  });

  it('drops an ordinary event when only priority events are queued, and the oldest priority one for a new priority event', async () => {
    const outbox = await open({ maxEvents: 3 });
    for (let i = 0; i < 3; i += 1) await outbox.enqueue(event('boot-verdict'));
    expect(await outbox.enqueue(event('update-staged'))).toEqual({ stored: false, evicted: 0 });
    expect(await outbox.enqueue(event('rollback-detected'))).toEqual({ stored: true, evicted: 1 });
    const items = await outbox.peek(10);
    expect(items[0]).toMatchObject({
      kind: 'drops',
      report: { count: 2, byType: { 'update-staged': 1, 'boot-verdict': 1 } },
    });
    expect(bodyN(items)).toEqual([2, 3, 5]);
  });

  it('evicts by bytes', async () => {
    const outbox = await open({ maxBytes: 65536 });
    const big = () => event('check-failed', { message: 'x'.repeat(10_000) });
    for (let i = 0; i < 10; i += 1) await outbox.enqueue(big());
    expect(outbox.size().bytes).toBeLessThanOrEqual(65536);
    expect(outbox.size().events).toBe(6);
    expect(outbox.dropped().total).toBe(4);
  });

  it('seals a taken drop report: later drops go into a new report; acking the report clears it', async () => {
    const outbox = await open({ maxEvents: 2 });
    for (let i = 0; i < 3; i += 1) await outbox.enqueue(event());
    const [first] = await outbox.peek(1);
    expect(first).toMatchObject({ kind: 'drops', report: { count: 1 } });
    await outbox.enqueue(event());
    const items = await outbox.peek(5);
    expect(items.slice(0, 2)).toMatchObject([
      { kind: 'drops', report: { count: 1, total: 1 } },
      { kind: 'drops', report: { count: 1, total: 2 } },
    ]);
    const reportIds = items.flatMap((i) => (i.kind === 'drops' ? [i.report.id] : []));
    expect(new Set(reportIds).size).toBe(2);
    await outbox.ack([reportIds[0]!]);
    expect(outbox.dropped()).toEqual({ total: 2, unreported: 1 });
    await outbox.close();
    const again = await open({ maxEvents: 2 });
    expect(again.dropped()).toEqual({ total: 2, unreported: 1 });
    expect((await again.peek(1))[0]).toMatchObject({ kind: 'drops', report: { id: reportIds[1] } });
  });

  it('applies smaller limits found at open', async () => {
    const outbox = await open();
    for (let i = 0; i < 10; i += 1) await outbox.enqueue(event());
    await outbox.close();
    const smaller = await open({ maxEvents: 4 });
    expect(bodyN(await smaller.peek(10))).toEqual([7, 8, 9, 10]);
    expect(smaller.dropped().total).toBe(6);
  });

  it('keeps disk use near the live size when priority events pin old segments', async () => {
    const outbox = await open({ maxEvents: 40 }, 4096);
    for (let i = 0; i < 400; i += 1)
      await outbox.enqueue(event(i % 20 === 0 ? 'boot-verdict' : 'check-failed', { pad: 'p'.repeat(100) }));
    const files = await readdir(real());
    const sizes = await Promise.all(files.map(async (f) => (await stat(real(f))).size));
    const disk = sizes.reduce((a, b) => a + b, 0);
    expect(outbox.size().events).toBe(40);
    expect(disk).toBeLessThan(2 * outbox.size().bytes + 4096 + 4096);
    expect(bodyN(await outbox.peek(40)).filter((n) => (n - 1) % 20 === 0)).toEqual(
      Array.from({ length: 20 }, (_, i) => i * 20 + 1),
    );
  });
});

describe('outbox after power loss', () => {
  async function filled(n: number) {
    const outbox = await open();
    const events = Array.from({ length: n }, () => event());
    for (const e of events) await outbox.enqueue(e);
    await outbox.close();
    const segment = (await readdir(real())).find((f) => f.startsWith('seg-'))!;
    return { events, segment: real(segment) };
  }

  it.each([
    ['a torn header', Buffer.from([0x45, 0x51, 1])],
    ['a torn record', Buffer.concat([Buffer.from([0x45, 0x51, 1, 0, 0, 0, 0, 50]), Buffer.alloc(20, 7)])],
    ['garbage', Buffer.from('\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0')],
  ])('cuts %s at the end with a warning and keeps the rest', async (_name, tail) => {
    const { events, segment } = await filled(3);
    const before = (await stat(segment)).size;
    await appendFile(segment, tail);
    const outbox = await open();
    expect(ids(await outbox.peek(10))).toEqual(events.map((e) => e.id));
    expect(warnings.join('\n')).toMatch(/cut \d+ bytes/);
    expect((await stat(segment)).size).toBe(before);
    const more = event();
    await outbox.enqueue(more);
    await outbox.close();
    expect(ids(await (await open()).peek(10))).toEqual([...events, more].map((e) => e.id));
  });

  it('cuts a last record whose checksum does not match', async () => {
    const { events, segment } = await filled(3);
    const data = await readFile(segment);
    data[data.length - 3] = (data[data.length - 3] ?? 0) ^ 0xff;
    await writeFile(segment, data);
    const outbox = await open();
    expect(ids(await outbox.peek(10))).toEqual(events.slice(0, 2).map((e) => e.id));
    expect(warnings.join('\n')).toMatch(/checksum mismatch/);
  });

  it.each([
    ['a payload byte flipped', (rec: Buffer) => void (rec[rec.length - 5] = (rec[rec.length - 5] ?? 0) ^ 0x20)],
    ['the header zeroed', (rec: Buffer) => void rec.fill(0, 0, 20)],
    ['the length field made huge', (rec: Buffer) => void rec.writeUInt32BE(0x7fffffff, 4)],
  ])(
    'skips a corrupt record in the middle (%s), counts it once and keeps every record after it',
    async (_name, damage) => {
      const outbox = await open({}, 16 << 10);
      // Enough events for three segments; the damaged record sits early in the first one.
      const events = Array.from({ length: 300 }, () => event('check-failed', { pad: 'p'.repeat(100) }));
      await outbox.enqueueMany(events);
      await outbox.ack([events[0]!.id]);
      await outbox.close();
      const segments = (await readdir(real())).filter((f) => f.startsWith('seg-')).sort();
      expect(segments.length).toBeGreaterThanOrEqual(3);
      const first = real(segments[0]!);
      const data = await readFile(first);
      const records = scanRecords(data).items;
      const victim = records[3]!;
      damage(data.subarray(victim.offset, victim.offset + victim.length));
      await writeFile(first, data);

      const again = await open({}, 16 << 10);
      const kept = events.filter((_, i) => i !== 0 && i !== 3).map((e) => e.id);
      expect(ids(await again.peek(1000))).toEqual(['drops:1', ...kept]);
      expect(again.dropped()).toEqual({ total: 1, unreported: 1 });
      expect(warnings.join('\n')).toMatch(
        new RegExp(`${segments[0]}: .* at byte ${victim.offset}; skipped ${victim.length} unreadable bytes`),
      );
      const peeked = await again.peek(1);
      expect(peeked[0]?.kind === 'drops' && peeked[0].report.byType).toEqual({ 'unreadable-record': 1 });
      await again.close();
      // The bad bytes are gone from the file, so a later start neither counts them again nor loses more.
      warnings = [];
      const third = await open({}, 16 << 10);
      expect(third.dropped().total).toBe(1);
      expect(ids(await third.peek(1000))).toEqual(['drops:1', ...kept]);
      expect(warnings).toEqual([]);
      const more = event();
      await third.enqueue(more);
      await third.close();
      expect(ids(await (await open({}, 16 << 10)).peek(1000))).toEqual(['drops:1', ...kept, more.id]);
    },
  );

  it('cuts a torn acks.log entry (that ack is simply redone)', async () => {
    const outbox = await open();
    const events = Array.from({ length: 3 }, () => event());
    for (const e of events) await outbox.enqueue(e);
    await outbox.ack([events[0]!.id]);
    await outbox.close();
    await appendFile(real('acks.log'), Buffer.from([0, 0, 0, 0, 0]));
    const again = await open();
    expect(ids(await again.peek(10))).toEqual(events.slice(1).map((e) => e.id));
    expect(warnings.join('\n')).toMatch(/acks\.log: torn entry/);
  });

  it('starts over from an unreadable drop counter with a warning', async () => {
    const outbox = await open({ maxEvents: 2 });
    for (let i = 0; i < 3; i += 1) await outbox.enqueue(event());
    await outbox.close();
    await writeFile(real('state.json'), '{"total": 1, "sea');
    const again = await open({ maxEvents: 2 });
    expect(again.dropped().total).toBe(0);
    expect(warnings.join('\n')).toMatch(/unreadable drop counter/);
  });
});
