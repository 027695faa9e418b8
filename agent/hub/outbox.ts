// The outbox: a durable, bounded, ordered queue of hub events in /var/lib/edge-agent/outbox/.
//
// Contract: an event is on disk and fsync'd before enqueue() resolves; peek() hands events out in
// enqueue order until they are ack()ed, across crashes and reboots (delivery is at least once);
// beyond maxEvents/maxBytes the oldest events are evicted, other types before boot-verdict and
// rollback-detected, and every eviction is counted and reported (outbox-drops.ts). A torn write
// at the end of a file is cut with a warning, never fatal; an unreadable record with good ones
// after it is skipped and counted as a drop, and the rest kept. Format: outbox-records.ts.
//
// Acks are not fsync'd: losing one in a crash only means the event is sent again (with its id,
// so the hub de-duplicates). Evictions are fsync'd, after the drop counter (a crash in between
// can count a drop twice, never lose one).
import { open, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError, DataError, StateWriteError } from '../errors.js';
import { isPriorityEvent, type HubEventRecord } from '../core/hub/payloads.js';
import type { Clock } from '../host/clock.js';
import { writeFileAtomic, type HostFs } from '../host/fs.js';
import { createIdGenerator, type IdGenerator } from './event-id.js';
import {
  addDrops,
  ackReports,
  parseDropState,
  saveDropState,
  takeReports,
  unreportedDrops,
  type DropReport,
  type DropState,
} from './outbox-drops.js';
import {
  ACKS_FILE,
  UNREADABLE_RECORD,
  compactSegment,
  loadOutboxFiles,
  readEvents,
  syncDir,
  writeError,
} from './outbox-files.js';
import { RECORD_HEADER_BYTES, encodeAcks, encodeRecord, segmentName } from './outbox-records.js';
import { EntryQueue, mergedLive, type Entry, type Segment } from './outbox-index.js';

export type { DropReport } from './outbox-drops.js';

export interface OutboxLimits {
  maxBytes: number;
  maxEvents: number;
}

export interface OutboxOptions {
  /** The outbox directory is a host path, re-rooted by this port. */
  fs: Pick<HostFs, 'resolve'>;
  clock: Pick<Clock, 'now'>;
  log?: { warn(message: string): void };
  newId?: IdGenerator;
  /** Size at which a new segment file is started (default: maxBytes / 16, 16 KiB to 1 MiB). */
  segmentBytes?: number;
}

export type OutboxItem = { kind: 'event'; event: HubEventRecord } | { kind: 'drops'; report: DropReport };

export interface EnqueueResult {
  /** False when the queue is full of events kept longer than this one (it was counted as dropped). */
  stored: boolean;
  /** Older events evicted to make room. */
  evicted: number;
}

export interface Outbox {
  enqueue(event: HubEventRecord): Promise<EnqueueResult>;
  /** Like enqueue for each, with one fsync for all (group commit). */
  enqueueMany(events: readonly HubEventRecord[]): Promise<EnqueueResult[]>;
  /** The first n items in order: unreported drop reports first, then events. Does not remove. */
  peek(n: number): Promise<OutboxItem[]>;
  /** Remove delivered items by event id or drop report id; unknown ids are ignored. */
  ack(ids: Iterable<string>): Promise<void>;
  size(): { events: number; bytes: number };
  dropped(): { total: number; unreported: number };
  close(): Promise<void>;
}

export async function openOutbox(dir: string, limits: OutboxLimits, options: OutboxOptions): Promise<Outbox> {
  const outbox = new DiskOutbox(options.fs.resolve(dir), limits, options);
  await outbox.load().catch((error: unknown) => Promise.reject(asStateError(options.fs.resolve(dir), error)));
  return outbox;
}

/** A file-system error of the outbox (ENOSPC, EROFS, EIO...) is a state write failure (exit 74), not a bug. */
function asStateError(dir: string, error: unknown): unknown {
  return error instanceof Error &&
    !(error instanceof AgentError) &&
    typeof (error as NodeJS.ErrnoException).code === 'string'
    ? writeError(dir, error)
    : error;
}

const STATE = 'state.json';

class DiskOutbox implements Outbox {
  private segments: Segment[] = [];
  private active?: { segment: Segment; handle: FileHandle };
  private acks?: FileHandle;
  private ackEntries = 0;
  private readonly byId = new Map<string, Entry>();
  private readonly normal = new EntryQueue();
  private readonly priority = new EntryQueue();
  private liveBytes = 0;
  private nextSeq = 1;
  private drops: DropState = { total: 0, sealed: [] };
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly newId: IdGenerator;
  private readonly segmentBytes: number;
  private readonly maxRecordBytes: number;

  constructor(
    private readonly dir: string,
    private readonly limits: OutboxLimits,
    private readonly options: OutboxOptions,
  ) {
    this.newId = options.newId ?? createIdGenerator(options.clock);
    this.segmentBytes = options.segmentBytes ?? Math.min(1 << 20, Math.max(16 << 10, Math.floor(limits.maxBytes / 16)));
    this.maxRecordBytes = Math.min(64 << 10, Math.floor(limits.maxBytes / 4));
  }

  async load(): Promise<void> {
    // The drop counter first: unreadable records found while loading are counted in it.
    const parsed = parseDropState(await readFile(join(this.dir, STATE), 'utf8').catch(() => undefined));
    if (parsed.problem) this.warn(parsed.problem);
    this.drops = parsed.state;
    const files = await loadOutboxFiles(this.dir, {
      warn: (message) => this.warn(message),
      countUnreadable: async (count) => {
        addDrops(
          this.drops,
          Array<string>(count).fill(UNREADABLE_RECORD),
          new Date(this.options.clock.now()).toISOString(),
          this.newId,
        );
        await saveDropState(join(this.dir, STATE), this.drops);
      },
    });
    this.segments = files.segments;
    this.acks = files.acks;
    this.ackEntries = files.ackEntries;
    this.nextSeq = files.nextSeq;
    for (const entry of files.live) this.addLive(entry);
    // Limits may have shrunk since the events were written.
    await this.evict(this.planEviction(0, 0, undefined).victims, []);
    await this.tidy();
  }

  enqueue(event: HubEventRecord): Promise<EnqueueResult> {
    return this.serial(async () => {
      const result = await this.put(event);
      await this.active?.handle.datasync();
      await this.tidy();
      return result;
    });
  }

  enqueueMany(events: readonly HubEventRecord[]): Promise<EnqueueResult[]> {
    return this.serial(async () => {
      const results: EnqueueResult[] = [];
      for (const event of events) results.push(await this.put(event));
      await this.active?.handle.datasync();
      await this.tidy();
      return results;
    });
  }

  private async put(event: HubEventRecord): Promise<EnqueueResult> {
    const payload = Buffer.from(JSON.stringify({ id: event.id, type: event.type, time: event.time, body: event.body }));
    if (payload.length > this.maxRecordBytes)
      throw new DataError(
        'outbox-event-too-large',
        `event ${event.type} ${event.id} is ${payload.length} bytes; the outbox takes at most ${this.maxRecordBytes}`,
      );
    if (this.byId.has(event.id)) return { stored: true, evicted: 0 };
    const priority = isPriorityEvent(event.type);
    const length = RECORD_HEADER_BYTES + payload.length;
    const { victims, dropIncoming } = this.planEviction(1, length, priority);
    await this.evict(victims, dropIncoming ? [event.type] : []);
    if (dropIncoming) return { stored: false, evicted: victims.length };
    const seq = this.nextSeq++;
    const { segment, offset } = await this.append(encodeRecord(seq, priority, payload), seq);
    const entry: Entry = { seq, id: event.id, type: event.type, priority, segment, offset, length, dead: true };
    segment.entries.push(entry);
    this.addLive(entry);
    return { stored: true, evicted: victims.length };
  }

  /** Oldest ordinary events first; priority events only when nothing else is left. */
  private planEviction(
    extraEvents: number,
    extraBytes: number,
    incomingPriority: boolean | undefined,
  ): { victims: Entry[]; dropIncoming: boolean } {
    let events = this.byId.size + extraEvents;
    let bytes = this.liveBytes + extraBytes;
    const victims: Entry[] = [];
    const normal = this.normal.live();
    const priority = this.priority.live();
    while (events > this.limits.maxEvents || bytes > this.limits.maxBytes) {
      let victim = normal.next().value as Entry | undefined;
      if (!victim && incomingPriority === false) return { victims, dropIncoming: true };
      victim ??= priority.next().value as Entry | undefined;
      if (!victim) break;
      victims.push(victim);
      events -= 1;
      bytes -= victim.length;
    }
    return { victims, dropIncoming: false };
  }

  private async evict(victims: readonly Entry[], alsoDropped: readonly string[]): Promise<void> {
    if (victims.length === 0 && alsoDropped.length === 0) return;
    addDrops(
      this.drops,
      [...victims.map((v) => v.type), ...alsoDropped],
      new Date(this.options.clock.now()).toISOString(),
      this.newId,
    );
    await saveDropState(join(this.dir, STATE), this.drops);
    for (const victim of victims) this.markDead(victim);
    await this.appendAcks(
      victims.map((v) => v.seq),
      true,
    );
  }

  private async append(record: Buffer, seq: number): Promise<{ segment: Segment; offset: number }> {
    if (this.active && this.active.segment.size > 0 && this.active.segment.size + record.length > this.segmentBytes) {
      await this.active.handle.datasync();
      await this.active.handle.close();
      this.active = undefined;
    }
    if (!this.active) {
      const name = segmentName(seq);
      const path = join(this.dir, name);
      const segment: Segment = { name, path, size: 0, live: 0, liveBytes: 0, entries: [] };
      this.active = { segment, handle: await open(path, 'a', 0o600) };
      this.segments.push(segment);
      await syncDir(this.dir);
    }
    const { segment, handle } = this.active;
    const offset = segment.size;
    try {
      await handle.write(record);
    } catch (error) {
      await handle.truncate(offset).catch(() => undefined);
      throw writeError(segment.path, error);
    }
    segment.size += record.length;
    return { segment, offset };
  }

  peek(n: number): Promise<OutboxItem[]> {
    return this.serial(async () => {
      const taken = takeReports(this.drops);
      if (taken.changed) await saveDropState(join(this.dir, STATE), this.drops);
      const items: OutboxItem[] = taken.reports.slice(0, n).map((report) => ({ kind: 'drops', report }));
      const entries: Entry[] = [];
      for (const entry of mergedLive(this.normal, this.priority)) {
        if (items.length + entries.length >= n) break;
        entries.push(entry);
      }
      for (const event of await readEvents(entries)) items.push({ kind: 'event', event });
      return items;
    });
  }

  ack(ids: Iterable<string>): Promise<void> {
    return this.serial(async () => {
      const wanted = new Set(ids);
      if (ackReports(this.drops, wanted)) await saveDropState(join(this.dir, STATE), this.drops);
      const seqs: number[] = [];
      for (const id of wanted) {
        const entry = this.byId.get(id);
        if (!entry) continue;
        this.markDead(entry);
        seqs.push(entry.seq);
      }
      await this.appendAcks(seqs, false);
      await this.tidy();
    });
  }

  size(): { events: number; bytes: number } {
    return { events: this.byId.size, bytes: this.liveBytes };
  }

  dropped(): { total: number; unreported: number } {
    return { total: this.drops.total, unreported: unreportedDrops(this.drops) };
  }

  close(): Promise<void> {
    return this.serial(async () => {
      this.closed = true;
      await this.active?.handle.datasync().catch(() => undefined);
      await this.active?.handle.close();
      this.active = undefined;
      await this.acks?.close();
      this.acks = undefined;
    });
  }

  private addLive(entry: Entry): void {
    entry.dead = false;
    this.byId.set(entry.id, entry);
    (entry.priority ? this.priority : this.normal).push(entry);
    entry.segment.live += 1;
    entry.segment.liveBytes += entry.length;
    this.liveBytes += entry.length;
  }

  private markDead(entry: Entry): void {
    entry.dead = true;
    this.byId.delete(entry.id);
    (entry.priority ? this.priority : this.normal).noteDead();
    entry.segment.live -= 1;
    entry.segment.liveBytes -= entry.length;
    this.liveBytes -= entry.length;
  }

  private async appendAcks(seqs: readonly number[], sync: boolean): Promise<void> {
    if (seqs.length === 0 || !this.acks) return;
    await this.acks
      .write(encodeAcks(seqs))
      .catch((error) => Promise.reject(writeError(join(this.dir, ACKS_FILE), error)));
    if (sync) await this.acks.datasync();
    this.ackEntries += seqs.length;
  }

  /**
   * Keep the disk use near the live size: delete segments with nothing live, rewrite old
   * segments that are mostly dead (priority events can pin them), and shrink acks.log to the
   * entries that still refer to a record on disk. The segment being appended to is left alone
   * until it is full, so a steady enqueue/ack rhythm costs one fsync per event and no file churn.
   */
  private async tidy(): Promise<void> {
    let removed = false;
    for (const segment of [...this.segments]) {
      if (this.active?.segment === segment) continue;
      if (segment.live === 0) {
        await unlink(segment.path).catch(() => undefined);
        this.segments.splice(this.segments.indexOf(segment), 1);
        removed = true;
      } else if (segment.liveBytes * 2 < segment.size) {
        await compactSegment(segment);
      }
    }
    // The unlinks must be durable before acks.log forgets those records: a segment that came
    // back after a power cut would otherwise look undelivered and clash with new sequence numbers.
    if (removed) await syncDir(this.dir);
    const relevant = this.segments.reduce((sum, s) => sum + s.entries.length - s.live, 0);
    if (this.ackEntries > 0 && relevant === 0) {
      await this.acks?.truncate(0);
      this.ackEntries = 0;
    } else if (this.ackEntries > 1024 && this.ackEntries > 2 * relevant) {
      await this.rewriteAcks();
    }
  }

  private async rewriteAcks(): Promise<void> {
    const seqs = this.segments.flatMap((s) => s.entries.filter((e) => e.dead).map((e) => e.seq));
    const file = join(this.dir, ACKS_FILE);
    await this.acks?.close();
    await writeFileAtomic(file, encodeAcks(seqs), 0o600);
    this.acks = await open(file, 'a', 0o600);
    this.ackEntries = seqs.length;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => {
      if (this.closed) throw new StateWriteError('outbox-closed', `outbox ${this.dir} is closed`);
      return work().catch((error: unknown) => Promise.reject(asStateError(this.dir, error)));
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private warn(message: string): void {
    this.options.log?.warn(message);
  }
}
