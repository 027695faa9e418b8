// A lock file for short read-modify-write sections between edge-agent processes. O_EXCL create
// is atomic on every local file system; a lock older than `staleMs` was left by a process that
// died (kill -9, power loss) and is taken over.
import { constants } from 'node:fs';
import { open, stat, unlink, mkdir } from 'node:fs/promises';
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
      if (age > (options.staleMs ?? 30_000) || clock.monotonic() > deadline) await unlink(file).catch(() => undefined);
      else await clock.sleep(20);
    }
  }
  try {
    return await work();
  } finally {
    await unlink(file).catch(() => undefined);
  }
}
