// The outbox's in-memory index: where each live event sits on disk, in two queues (ordinary and
// priority events) so eviction finds the oldest ordinary event without a scan. Payloads stay on
// disk; an entry is ~100 bytes, so 10 000 queued events cost about 1 MB of memory.

export interface Segment {
  name: string;
  path: string;
  /** Bytes of whole records in the file. */
  size: number;
  live: number;
  liveBytes: number;
  /** Records still in the file, live and dead, in sequence order. */
  entries: Entry[];
}

export interface Entry {
  seq: number;
  id: string;
  type: string;
  priority: boolean;
  segment: Segment;
  offset: number;
  /** Header plus payload. */
  length: number;
  dead: boolean;
}

/** Entries in sequence order; dead ones are skipped and dropped lazily. */
export class EntryQueue {
  private items: Entry[] = [];
  private head = 0;
  private deadAfterHead = 0;

  push(entry: Entry): void {
    this.items.push(entry);
  }

  /** Call after marking one of this queue's entries dead. */
  noteDead(): void {
    this.deadAfterHead += 1;
    while (this.head < this.items.length && this.items[this.head]?.dead) {
      this.head += 1;
      this.deadAfterHead -= 1;
    }
    const remaining = this.items.length - this.head;
    if (remaining === 0) {
      this.items = [];
      this.head = 0;
    } else if (this.deadAfterHead > 256 && this.deadAfterHead * 2 > remaining) {
      this.items = this.items.slice(this.head).filter((e) => !e.dead);
      this.head = 0;
      this.deadAfterHead = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  *live(): Generator<Entry, void, undefined> {
    for (let i = this.head; i < this.items.length; i += 1) {
      const entry = this.items[i] as Entry;
      if (!entry.dead) yield entry;
    }
  }
}

/** Live entries of both queues in sequence (= enqueue) order. */
export function* mergedLive(a: EntryQueue, b: EntryQueue): Generator<Entry, void, undefined> {
  const left = a.live();
  const right = b.live();
  let x = left.next();
  let y = right.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && x.value.seq < y.value.seq)) {
      yield x.value as Entry;
      x = left.next();
    } else {
      yield y.value;
      y = right.next();
    }
  }
}
