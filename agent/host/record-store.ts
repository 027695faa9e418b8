// The store of per-boot records under /var/lib/edge-agent/boots/. Writes are atomic (see fs.ts),
// so a crash leaves the old record or the new one. A record that is not JSON, or has no boot id,
// is moved aside with a warning and never stops a check, a verdict or `status`. One a newer
// edge-agent wrote is kept whole: values this version cannot read are carried along and written
// back (core/record-skew.ts).
import {
  newBootRecord,
  readBootRecord,
  RECORD_SCHEMA_VERSION,
  type BootRecord,
  type ReadBootRecord,
} from '../core/boot-record.js';
import { DataError } from '../errors.js';
import { restoreNewer, type NewerValue } from '../core/record-skew.js';
import type { Clock } from './clock.js';
import type { HostFs } from './fs.js';
import { pidAlive, removeDeadStaging, withLock } from './lock.js';
import { compareCodeUnits } from '../core/compare.js';

export interface BootRecords {
  read(bootId: string): Promise<BootRecord | undefined>;
  /** Read-modify-write of one boot's record (created when missing). */
  update(bootId: string, change: (record: BootRecord) => void): Promise<BootRecord>;
  /** All readable records, newest first. */
  list(): Promise<BootRecord[]>;
  /** Values of a record read by this store that a newer edge-agent wrote and this one cannot read. */
  newerValues(record: BootRecord): NewerValue[];
  /** Keep the newest `keep` records (and remove what killed writers left behind). */
  prune(keep: number): Promise<number>;
}

export interface BootRecordsOptions {
  fs: HostFs;
  clock: Clock;
  dir: string;
  warn: (message: string) => void;
}

const fileName = (bootId: string) => `${bootId.replaceAll('-', '')}.json`;
const RECORD_NAME = /^[0-9a-f]{32}\.json$/;

/** A record file as read: its record, 'unreadable' (not JSON, no boot id), or undefined when absent. */
export type RecordFileRead = ReadBootRecord | 'unreadable' | undefined;

/**
 * Read one record file and change nothing: the reader of everyone who only reads (`status`), and
 * of the store below, which also moves an unreadable one aside. Values a newer edge-agent wrote
 * come back in `newer` (core/record-skew.ts).
 */
export async function readRecordFile(fs: HostFs, path: string): Promise<RecordFileRead> {
  const text = await fs.readText(path);
  if (text === undefined) return undefined;
  try {
    const read = readBootRecord(JSON.parse(text));
    if (!read) return 'unreadable';
    // Written by a newer edge-agent (we are the rolled-back one): read what we know, keep the rest.
    read.record.schema = Math.max(read.record.schema, RECORD_SCHEMA_VERSION);
    return read;
  } catch {
    return 'unreadable';
  }
}

/** Every record file of the directory (by name: <boot id>.json), read without changing anything. */
export async function readRecordDir(fs: HostFs, dir: string): Promise<{ name: string; read: RecordFileRead }[]> {
  const names = (await fs.list(dir)).filter((n) => RECORD_NAME.test(n));
  if (names.length === 0) {
    // An empty listing is also what a file where the directory belongs gives: say which.
    const info = await fs.info(dir);
    if (info && !info.isDirectory)
      throw new DataError('not-a-directory', `${dir} is not a directory: the boot records cannot be read`);
  }
  return Promise.all(names.map(async (name) => ({ name, read: await readRecordFile(fs, `${dir}/${name}`) })));
}
/** fs.ts names its temp files `.<target>.<pid>.<ms>.<random>.tmp`. */
const tempName = /^\..+\.(\d+)\.(\d+)\.[0-9a-z]+\.tmp$/;
/** A writer holds its temp file for milliseconds; one this old is left over even if its pid was reused. */
const TEMP_MAX_AGE_MS = 10 * 60_000;

export function createBootRecords({ fs, clock, dir, warn }: BootRecordsOptions): BootRecords {
  const pathOf = (bootId: string) => `${dir}/${fileName(bootId)}`;
  // Not `.lock`: the plain lock file of earlier versions, which a rolled-back agent still uses.
  const lockPath = `${dir}/.records.lock`;

  /** Remove temp files and lock staging directories that killed writers left behind. */
  async function removeLeftovers(): Promise<number> {
    let removed = await removeDeadStaging(fs, lockPath);
    for (const name of await fs.list(dir)) {
      const match = tempName.exec(name);
      if (!match) continue;
      const [pid, writtenAt] = [Number(match[1]), Number(match[2])];
      if (pidAlive(pid) && clock.now() - writtenAt < TEMP_MAX_AGE_MS) continue;
      await fs.remove(`${dir}/${name}`);
      removed++;
    }
    return removed;
  }

  const newerOf = new WeakMap<BootRecord, NewerValue[]>();

  /** The record of a read; an unreadable file is moved aside with a warning (the writers' job). */
  async function keep(path: string, read: RecordFileRead): Promise<BootRecord | undefined> {
    if (read === 'unreadable') {
      const aside = `${path}.corrupt-${clock.now()}`;
      await fs.move(path, aside).catch(() => undefined);
      warn(`boot record ${path} is unreadable (truncated or corrupt); moved it aside to ${aside}`);
      return undefined;
    }
    if (read && read.newer.length > 0) newerOf.set(read.record, read.newer);
    return read?.record;
  }
  const load = async (path: string) => keep(path, await readRecordFile(fs, path));

  return {
    read: (bootId) => load(pathOf(bootId)),
    async update(bootId, change) {
      // The check, the green/red step, `status` and the daemon may write the same record at once.
      const takeover = { onTakeover: () => removeLeftovers().then(() => undefined) };
      return withLock(
        fs,
        clock,
        lockPath,
        async () => {
          const record =
            (await load(pathOf(bootId))) ??
            newBootRecord(bootId.replaceAll('-', ''), new Date(clock.now()).toISOString());
          change(record);
          const newer = newerOf.get(record);
          const written = newer ? structuredClone(record) : record;
          if (newer) restoreNewer(written, newer);
          await fs.writeAtomic(pathOf(bootId), `${JSON.stringify(written, null, 2)}\n`, 0o644);
          return record;
        },
        takeover,
      );
    },
    async list() {
      const files = await readRecordDir(fs, dir);
      const records = (await Promise.all(files.map((f) => keep(`${dir}/${f.name}`, f.read)))).filter(
        (r): r is BootRecord => r !== undefined,
      );
      return records.sort((a, b) => compareCodeUnits(b.firstSeenAt ?? '', a.firstSeenAt ?? ''));
    },
    newerValues: (record) => newerOf.get(record) ?? [],
    async prune(keep) {
      const records = await this.list();
      const old = records.slice(keep);
      for (const record of old) await fs.remove(pathOf(record.bootId));
      await removeLeftovers();
      return old.length;
    },
  };
}
