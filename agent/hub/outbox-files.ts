// File-level work of the outbox: reading the directory back after a start (cutting torn tails),
// reading payloads of queued entries, rewriting a mostly-dead segment. Format: outbox-records.ts.
import { mkdir, open, readFile, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { HubEventRecord } from '../core/hub/payloads.js';
import { StateWriteError } from '../errors.js';
import { writeFileAtomic } from '../host/fs.js';
import { readRegularFile } from '../host/regular-file.js';
import type { Entry, Segment } from './outbox-index.js';
import { RECORD_HEADER_BYTES, isSegmentName, scanAcks, scanRecords } from './outbox-records.js';

export const ACKS_FILE = 'acks.log';

export interface LoadedFiles {
  segments: Segment[];
  /** Live entries in sequence order. */
  live: Entry[];
  nextSeq: number;
  acks: FileHandle;
  ackEntries: number;
}

/** The drop-report type under which unreadable records are counted (their own type is unknown). */
export const UNREADABLE_RECORD = 'unreadable-record';

export interface LoadHooks {
  warn(message: string): void;
  /** Count records that were skipped as unreadable; durable before the segment loses them. */
  countUnreadable(count: number): Promise<void>;
}

export async function loadOutboxFiles(dir: string, { warn, countUnreadable }: LoadHooks): Promise<LoadedFiles> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const names = await readdir(dir);
  // Leftovers of an atomic rewrite that a crash interrupted.
  for (const name of names.filter((n) => n.endsWith('.tmp'))) await unlink(join(dir, name)).catch(() => undefined);

  const acksPath = join(dir, ACKS_FILE);
  // A directory or FIFO where acks.log or a segment belongs is named as such (not an errno of
  // the outbox directory); only a missing acks.log means "nothing acked yet".
  const ackData = await readRegularFile(acksPath).catch((error: unknown) =>
    (error as NodeJS.ErrnoException).code === 'ENOENT' ? Buffer.alloc(0) : Promise.reject(error),
  );
  const ackScan = scanAcks(ackData);
  const acks = await open(acksPath, 'a', 0o600);
  if (ackScan.problem) {
    warn(
      `outbox: ${ACKS_FILE}: ${ackScan.problem} at byte ${ackScan.validBytes}; cut ${ackData.length - ackScan.validBytes} bytes`,
    );
    await acks.truncate(ackScan.validBytes);
  }
  const gone = new Set(ackScan.items);
  let nextSeq = ackScan.items.reduce((max, seq) => Math.max(max, seq + 1), 1);

  const segments: Segment[] = [];
  const live: Entry[] = [];
  const ids = new Set<string>();
  for (const name of names.filter(isSegmentName).sort()) {
    const path = join(dir, name);
    const data = await readRegularFile(path);
    const scan = scanRecords(data);
    // A power cut mid-append: that event was never confirmed to its producer, so it is not counted.
    if (scan.problem)
      warn(`outbox: ${name}: ${scan.problem} at byte ${scan.validBytes}; cut ${data.length - scan.validBytes} bytes`);
    let size = scan.validBytes;
    // Where each record is in `data`; a rewrite below moves its offset in the file.
    const at = scan.items.map((record) => record.offset);
    if (scan.skipped.length > 0) {
      // Damage with good records after it: skip the bad bytes, count each run of them as one
      // dropped event (the hub hears of it), then rewrite the segment without them so the next
      // start does not count them again. A crash in between counts them twice, never zero times.
      for (const region of scan.skipped)
        warn(
          `outbox: ${name}: ${region.problem} at byte ${region.offset}; skipped ${region.length} unreadable bytes and kept the records after them`,
        );
      await countUnreadable(scan.skipped.length);
      const kept = Buffer.concat(scan.items.map((r) => data.subarray(r.offset, r.offset + r.length)));
      await writeFileAtomic(path, kept, 0o600);
      size = 0;
      for (const record of scan.items) {
        record.offset = size;
        size += record.length;
      }
    } else if (scan.problem) {
      const handle = await open(path, 'r+');
      await handle.truncate(scan.validBytes).finally(() => handle.close());
    }
    const segment: Segment = { name, path, size, live: 0, liveBytes: 0, entries: [] };
    segments.push(segment);
    for (const [i, record] of scan.items.entries()) {
      nextSeq = Math.max(nextSeq, record.seq + 1);
      const start = (at[i] ?? 0) + RECORD_HEADER_BYTES;
      const head = parseHead(data, start, start + record.length - RECORD_HEADER_BYTES);
      const entry: Entry = {
        seq: record.seq,
        id: head?.id ?? '',
        type: head?.type ?? '',
        priority: record.priority,
        segment,
        offset: record.offset,
        length: record.length,
        dead: true,
      };
      segment.entries.push(entry);
      if (gone.has(record.seq)) continue;
      if (!head || ids.has(head.id)) {
        warn(`outbox: ${name}: unusable record ${record.seq} skipped`);
        continue;
      }
      ids.add(head.id);
      live.push(entry);
    }
  }
  return { segments, live, nextSeq, acks, ackEntries: ackScan.items.length };
}

// The index needs only an event's id and type, which lead each payload as the outbox writes it
// (JSON.stringify of { id, type, time, body }). Reading those bytes alone, rather than parsing
// every payload whole, keeps a start with a long backlog from filling the heap with parsed events
// that are garbage at once: 12 000 queued events raised the daemon's peak RSS by ~8 MB. Ids are
// printable ASCII (event-id.ts); anything else takes the full parse.
const HEAD = /^\{"id":"([!#-[\]-~]{1,200})","type":"([!#-[\]-~]{1,100})"[,}]/;
/** One string per event type, shared by every entry of that type. */
const types = new Map<string, string>();

function parseHead(data: Buffer, start: number, end: number): { id: string; type: string } | undefined {
  const head = HEAD.exec(data.toString('latin1', start, Math.min(end, start + 340)));
  if (head) {
    const [, id = '', type = ''] = head;
    // Fresh strings from the bytes: a substring of `head` would keep all of it alive.
    const idStart = start + '{"id":"'.length;
    const typeStart = idStart + id.length + '","type":"'.length;
    let shared = types.get(type);
    if (!shared) {
      shared = data.toString('latin1', typeStart, typeStart + type.length);
      // A handful of types in practice; a damaged or foreign outbox must not grow this without end.
      if (types.size < 64) types.set(shared, shared);
    }
    return { id: data.toString('latin1', idStart, idStart + id.length), type: shared };
  }
  try {
    const value = JSON.parse(data.toString('utf8', start, end)) as { id?: unknown; type?: unknown };
    return typeof value.id === 'string' && typeof value.type === 'string'
      ? { id: value.id, type: value.type }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The events of entries (in order), one read per run of neighbours in the same segment. */
export async function readEvents(entries: readonly Entry[]): Promise<HubEventRecord[]> {
  const events: HubEventRecord[] = [];
  for (let i = 0; i < entries.length;) {
    const first = entries[i] as Entry;
    let j = i + 1;
    while (j < entries.length && entries[j]?.segment === first.segment) j += 1;
    const last = entries[j - 1] as Entry;
    const buffer = Buffer.allocUnsafe(last.offset + last.length - first.offset);
    const handle = await open(first.segment.path, 'r');
    try {
      await handle.read(buffer, 0, buffer.length, first.offset);
    } finally {
      await handle.close();
    }
    for (const entry of entries.slice(i, j)) {
      const start = entry.offset - first.offset + RECORD_HEADER_BYTES;
      events.push(
        JSON.parse(buffer.toString('utf8', start, start + entry.length - RECORD_HEADER_BYTES)) as HubEventRecord,
      );
    }
    i = j;
  }
  return events;
}

/** Rewrite a segment with only its live records (atomically); offsets follow. */
export async function compactSegment(segment: Segment): Promise<void> {
  const live = segment.entries.filter((e) => !e.dead);
  const data = await readFile(segment.path);
  const kept = Buffer.concat(live.map((e) => data.subarray(e.offset, e.offset + e.length)));
  await writeFileAtomic(segment.path, kept, 0o600);
  let offset = 0;
  for (const entry of live) {
    entry.offset = offset;
    offset += entry.length;
  }
  segment.entries = live;
  segment.size = kept.length;
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  await handle.sync().finally(() => handle.close());
}

export function writeError(file: string, error: unknown): StateWriteError {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  return new StateWriteError(
    `outbox-${code.toLowerCase()}`,
    `cannot write ${file}: ${code === 'ENOSPC' ? 'no space left on device' : (error as Error).message}`,
    { cause: error },
  );
}
