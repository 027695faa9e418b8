// A lock file for short read-modify-write sections between edge-agent processes. O_EXCL create
// is atomic on every local file system. A lock whose owner is gone (kill -9) is taken over at
// once; one older than `staleMs` (owner unknown, e.g. after a power loss) too.
import { constants } from 'node:fs';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from './clock.js';
import type { HostFs } from './fs.js';

export async function withLock<T>(fs: HostFs, clock: Clock, path: string, work: () => Promise<T>, options: { waitMs?: number; staleMs?: number } = {}): Promise<T> {
  const file = fs.resolve(path);
  const deadline = clock.monotonic() + (options.waitMs ?? 10_000);
  await mkdir(dirname(file), { recursive: true });
  for (;;) {
    try {
      const handle = await open(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(file).then((s) => clock.now() - s.mtimeMs, () => 0);
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (!ownerAlive(owner) || age > (options.staleMs ?? 30_000) || clock.monotonic() > deadline) await unlink(file).catch(() => undefined);
      else await clock.sleep(20);
    }
  }
  try {
    return await work();
  } finally {
    await unlink(file).catch(() => undefined);
  }
}

/** False only when we know the owner is gone (a pid that does not exist). */
function ownerAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
