// Reading a file that must be a regular file. A FIFO put where config.yaml belongs would block
// a plain read forever (no writer ever comes), and in the thread pool where SIGTERM cannot reach
// it; a directory or a socket only fails with an errno nobody can act on. So: open without
// blocking, look at what was opened, and read only a regular file. Symlinks are followed (an
// image may link its config), the type checked is that of the target.
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { NotRegularFileError } from '../errors.js';

// O_NONBLOCK makes open() of a FIFO return at once instead of waiting for a writer; it changes
// nothing for regular files.
const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

export async function readRegularFile(path: string): Promise<Buffer> {
  const handle = await open(path, FLAGS).catch((error: unknown) => Promise.reject(socketOr(error, path)));
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw notRegular(path, stats);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export function readRegularFileSync(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, FLAGS);
  } catch (error) {
    throw socketOr(error, path);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notRegular(path, stats);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** What a path that is not a regular file is, in words (for messages). */
export function describeFileType(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function notRegular(path: string, stats: Stats): NotRegularFileError {
  return new NotRegularFileError(path, describeFileType(stats));
}

// open(2) of a Unix socket fails with ENXIO: that is the only way a socket shows up here.
function socketOr(error: unknown, path: string): unknown {
  if ((error as NodeJS.ErrnoException).code === 'ENXIO') return new NotRegularFileError(path, 'a socket');
  return error;
}
