// A boot record that could not be written (/var full, read-only, I/O error) leaves no trace in
// /var: that is the file system that failed. The writer leaves a short note in /run instead (a
// tmpfs, so it is there when /var is full, and it goes away with the boot it is about), and
// `status` shows it as a problem naming the file and the errno. The daemon's /run/edge-agent is
// not used: systemd removes it whenever the daemon stops, and the writer here is greenboot's check.
import type { HostFs } from './fs.js';

export const RECORD_WRITE_FAILURE_PATH = '/run/edge-agent-notes/record-write-failed.json';

export interface RecordWriteFailure {
  /** What was being written, e.g. "record this run". */
  what: string;
  /** The file (or lock) the write failed on, when the error said. */
  file?: string;
  /** The errno name, e.g. ENOSPC. */
  errno: string;
  /** ISO time of the failure. */
  at: string;
}

/** Best effort: a note that cannot be written either must not hide the original failure. */
export async function noteRecordWriteFailure(
  fs: HostFs,
  what: string,
  error: unknown,
  now: number,
  warn: (line: string) => void,
): Promise<void> {
  const note: RecordWriteFailure = { what, ...errnoOf(error), at: new Date(now).toISOString() };
  try {
    await fs.mkdirp('/run/edge-agent-notes', 0o755);
    await fs.writeAtomic(RECORD_WRITE_FAILURE_PATH, `${JSON.stringify(note)}\n`, 0o644);
  } catch (noteError) {
    warn(`could not leave a note of the failed write in ${RECORD_WRITE_FAILURE_PATH}: ${String(noteError)}`);
  }
}

/** The note of this boot, if a write failed; anything not shaped like one is ignored. */
export async function readRecordWriteFailure(fs: HostFs): Promise<RecordWriteFailure | undefined> {
  const text = await fs.readText(RECORD_WRITE_FAILURE_PATH).catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const data = JSON.parse(text) as Partial<RecordWriteFailure>;
    if (typeof data.what !== 'string' || typeof data.errno !== 'string' || typeof data.at !== 'string')
      return undefined;
    return {
      what: data.what,
      errno: data.errno,
      at: data.at,
      ...(typeof data.file === 'string' && { file: data.file }),
    };
  } catch {
    return undefined;
  }
}

/** The errno and path of a Node file-system error, also when wrapped as the cause of ours. */
function errnoOf(error: unknown): { errno: string; file?: string } {
  // Our write errors name the file meant, where the errno's own path is a temp file beside it.
  const meant = /^cannot (?:write|\w+ the lock) (\/\S+): /.exec(error instanceof Error ? error.message : '')?.[1];
  const found = errnoIn(error);
  return meant ? { ...found, file: meant } : found;
}

function errnoIn(error: unknown): { errno: string; file?: string } {
  for (let e = error as (NodeJS.ErrnoException & { cause?: unknown }) | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code))
      return { errno: e.code, ...(typeof e.path === 'string' && { file: e.path }) };
    e = e.cause as typeof e;
  }
  return { errno: 'EIO' };
}
