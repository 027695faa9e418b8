// The root-aware filesystem port. Every host path goes through `resolve`, so tests point the
// whole agent at a directory instead of the real /etc, /var or /boot (EDGE_AGENT_ROOT).
// State writes are atomic: temp file, fsync, rename, fsync of the directory.
import { constants, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StateWriteError } from '../errors.js';
import { readRegularFile, readRegularFileSync } from './regular-file.js';

export interface FileInfo {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  isFile: boolean;
  isDirectory: boolean;
}

export interface HostFs {
  /** The real path of a host path under this root. */
  resolve(path: string): string;
  readText(path: string): Promise<string | undefined>;
  readBytes(path: string): Promise<Buffer | undefined>;
  list(path: string): Promise<string[]>;
  info(path: string): Promise<FileInfo | undefined>;
  exists(path: string): Promise<boolean>;
  /** Atomically replace a file (temp, fsync, rename, fsync dir). */
  writeAtomic(path: string, data: string | Buffer, mode?: number): Promise<void>;
  mkdirp(path: string, mode?: number): Promise<void>;
  remove(path: string): Promise<void>;
  move(from: string, to: string): Promise<void>;
}

const missing = (error: unknown) =>
  (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR';
const fileInfo = (s: Stats): FileInfo => ({
  mode: s.mode & 0o7777,
  uid: s.uid,
  gid: s.gid,
  size: s.size,
  mtimeMs: s.mtimeMs,
  isFile: s.isFile(),
  isDirectory: s.isDirectory(),
});

export function createHostFs(root = '/'): HostFs {
  const resolve = (path: string) => (root === '/' ? path : join(root, path));
  const readBytes = (path: string) =>
    readRegularFile(resolve(path)).catch((error) => (missing(error) ? undefined : Promise.reject(error)));
  return {
    resolve,
    async readText(path) {
      return (await readBytes(path))?.toString('utf8');
    },
    readBytes,
    async list(path) {
      return (await readdir(resolve(path)).catch((error) => (missing(error) ? [] : Promise.reject(error)))).sort();
    },
    async info(path) {
      const s = await stat(resolve(path)).catch((error) => (missing(error) ? undefined : Promise.reject(error)));
      return s && fileInfo(s);
    },
    async exists(path) {
      return lstat(resolve(path)).then(
        () => true,
        () => false,
      );
    },
    async writeAtomic(path, data, mode = 0o644) {
      await writeFileAtomic(resolve(path), data, mode);
    },
    async mkdirp(path, mode = 0o755) {
      await mkdir(resolve(path), { recursive: true, mode });
    },
    async remove(path) {
      await rm(resolve(path), { force: true, recursive: true });
    },
    async move(from, to) {
      await rename(resolve(from), resolve(to));
    },
  };
}

/**
 * The same port with its reads done synchronously. Each async read is several trips through
 * libuv's thread pool (open, stat, read, close); `status` reads some forty small local files
 * (/proc, /etc, /run, its records), and the trips cost it more than the reads. For callers that
 * may block for that long: a status run, or the daemon answering one. Writes stay as they are.
 */
export function withSyncReads(fs: HostFs): HostFs {
  const attempt = <T>(read: () => T, absent: T): Promise<T> => {
    try {
      return Promise.resolve(read());
    } catch (error) {
      return missing(error) ? Promise.resolve(absent) : Promise.reject(error);
    }
  };
  return {
    ...fs,
    readText: (path) =>
      attempt<string | undefined>(() => readRegularFileSync(fs.resolve(path)).toString('utf8'), undefined),
    readBytes: (path) => attempt<Buffer | undefined>(() => readRegularFileSync(fs.resolve(path)), undefined),
    list: (path) => attempt(() => readdirSync(fs.resolve(path)).sort(), [] as string[]),
    info: (path) => attempt<FileInfo | undefined>(() => fileInfo(statSync(fs.resolve(path))), undefined),
    exists: (path) => attempt(() => (lstatSync(fs.resolve(path)), true), false).catch(() => false),
  };
}

export async function writeFileAtomic(target: string, data: string | Buffer, mode = 0o644): Promise<void> {
  const dir = dirname(target);
  // pid + time alone collide when one process writes the same file twice in a millisecond.
  const temp = join(
    dir,
    `.${target.slice(dir.length + 1)}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}.tmp`,
  );
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, mode);
    try {
      // The mode exactly as asked: the daemon's unit sets UMask=0077, which would narrow it.
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    const dirHandle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    const { code, reason } = writeFailure(error);
    throw new StateWriteError(`state-write-${code.toLowerCase()}`, `cannot write ${target}: ${reason}`, {
      cause: error,
    });
  }
}

/** Why a write failed, in the words an operator acts on for the two that mean "not here, not now". */
export function writeFailure(error: unknown): { code: string; reason: string } {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  const reason =
    code === 'ENOSPC'
      ? 'no space left on device'
      : code === 'EROFS'
        ? 'read-only file system'
        : (error as Error).message;
  return { code, reason };
}
