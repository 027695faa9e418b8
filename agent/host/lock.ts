// A lock for short read-modify-write sections between edge-agent processes, safe when holders
// are killed. The lock is a directory holding one owner file named `<pid>.<token>`:
//
// - Acquire: build `<lock>.<pid>.<token>.new/` with the owner file inside, then rename it onto
//   `<lock>`. rename(2) of a directory succeeds only when the target is absent or empty and fails
//   with ENOTEMPTY/EEXIST when it holds an owner, so exactly one contender wins, and nobody ever
//   sees a lock without its owner.
// - Take over a dead holder: unlink its owner file by its unique name. Of all the waiters that saw
//   the same dead owner, one unlink succeeds and the rest get ENOENT; none can touch a newer
//   holder, whose file has another name. The emptied directory is then free for the next rename.
// - Release: unlink our own owner file (then tidy the empty directory; rmdir refuses a directory
//   a new holder has already renamed into place).
//
// Deleting and re-creating a plain lock file (the earlier design) let two waiters that both saw a
// dead owner each delete the other's fresh lock, and both went on to write.
import { mkdir, readdir, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StateWriteError } from '../errors.js';
import type { Clock } from './clock.js';
import { writeFailure, type HostFs } from './fs.js';

export interface LockOptions {
  /** Wait this long for a live holder before taking the lock anyway (default 10 s). */
  waitMs?: number;
  /** A holder older than this is presumed hung and taken over (default 30 s). */
  staleMs?: number;
  /** Called once when a lock of a dead or hung holder was taken over (for cleanup of its leftovers). */
  onTakeover?: (owner: LockOwner) => Promise<void> | void;
}

export interface LockOwner {
  pid: number;
  reason: 'dead' | 'stale' | 'timeout';
}

const ownerName = /^(\d+)\.([0-9a-z]+)$/;

export async function withLock<T>(
  fs: HostFs,
  clock: Clock,
  path: string,
  work: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const lock = fs.resolve(path);
  const deadline = clock.monotonic() + (options.waitMs ?? 10_000);
  const token = `${process.pid}.${Math.random().toString(36).slice(2, 10)}${Date.now().toString(36)}`;
  const staging = `${lock}.${token}.new`;
  await ioStep(lock, 'create', () => mkdir(dirname(lock), { recursive: true }));
  await ioStep(lock, 'create', async () => {
    await mkdir(staging, { mode: 0o700 });
    await writeFile(join(staging, token), '', { mode: 0o600 });
  }).catch(async (error: unknown) => {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  });
  try {
    for (;;) {
      try {
        await rename(staging, lock);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // Anything but "held" (a file where the lock directory belongs, a read-only /var) is an
        // error to report, not a reason to wait.
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw ioError(lock, 'take', error);
        const owner = await readOwner(lock);
        if (!owner) {
          // Released between our rename and our look, or entries that are not an owner's.
          if (clock.monotonic() > deadline)
            throw new StateWriteError(
              'lock-unexpected-entries',
              `cannot take the lock ${lock}: it holds entries that are not an owner file (<pid>.<token>); remove the directory`,
            );
          await clock.sleep(5);
          continue;
        }
        const reason = !pidAlive(owner.pid)
          ? 'dead'
          : clock.now() - owner.mtimeMs > (options.staleMs ?? 30_000)
            ? 'stale'
            : clock.monotonic() > deadline
              ? 'timeout'
              : undefined;
        if (!reason) {
          await clock.sleep(10 + Math.floor(Math.random() * 20));
          continue;
        }
        // Only the waiter whose unlink succeeds cleans up after the old holder.
        const removed = await unlink(join(lock, owner.name)).then(
          () => true,
          () => false,
        );
        if (removed) await options.onTakeover?.({ pid: owner.pid, reason });
      }
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  try {
    return await work();
  } finally {
    // Our owner file is gone only if a waiter took the lock from us as hung: then it is theirs.
    const ours = await unlink(join(lock, token)).then(
      () => true,
      () => false,
    );
    if (ours) await rmdir(lock).catch(() => undefined);
  }
}

async function readOwner(lock: string): Promise<{ name: string; pid: number; mtimeMs: number } | undefined> {
  const names = await readdir(lock).catch(() => [] as string[]);
  for (const name of names) {
    const match = ownerName.exec(name);
    if (!match) continue;
    const mtimeMs = await stat(join(lock, name)).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    if (mtimeMs !== undefined) return { name, pid: Number(match[1]), mtimeMs };
  }
  return undefined;
}

/** False only when we know the process is gone (a pid that does not exist). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Remove what killed lock contenders left beside the lock: staging directories of processes that
 * are gone. A live contender's staging directory is left alone.
 */
export async function removeDeadStaging(fs: HostFs, path: string): Promise<number> {
  const lock = fs.resolve(path);
  const prefix = `${basename(lock)}.`;
  let removed = 0;
  for (const name of await readdir(dirname(lock)).catch(() => [] as string[])) {
    if (!name.startsWith(prefix) || !name.endsWith('.new')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (pidAlive(pid)) continue;
    await rm(join(dirname(lock), name), { recursive: true, force: true }).catch(() => undefined);
    removed++;
  }
  return removed;
}

async function ioStep(lock: string, what: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    throw ioError(lock, what, error);
  }
}

function ioError(lock: string, what: string, error: unknown): StateWriteError {
  const { code, reason } = writeFailure(error);
  return new StateWriteError(`lock-${code.toLowerCase()}`, `cannot ${what} the lock ${lock}: ${reason}`, {
    cause: error,
  });
}
