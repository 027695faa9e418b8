// Writes the bundle as a .tar.gz with node:zlib and a small ustar writer rather than the system
// `tar`: the entries are made in memory (redacted, cut to size), so no copy of them ever lands on
// disk in a staging directory that a crash could leave behind, and the archive file itself is
// created 0600 with O_EXCL before the first byte is written (no window where it is readable, no
// following a planted symlink). Entries are flat regular files, which is all ustar needs.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { createGzip } from 'node:zlib';

export interface TarEntry {
  /** Path inside the archive, under 100 bytes (we name every entry ourselves). */
  name: string;
  data: Buffer;
  mtimeSec: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** The 512-byte ustar header of one regular file, mode 0600, owned by root. */
export function tarHeader(entry: TarEntry): Buffer {
  const name = Buffer.from(entry.name, 'utf8');
  if (name.length >= 100) throw new Error(`tar entry name longer than 99 bytes: ${entry.name}`);
  const header = Buffer.alloc(BLOCK, 0);
  name.copy(header, 0);
  header.write(octal(0o600, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(entry.data.length, 12), 124, 'ascii');
  header.write(octal(Math.floor(entry.mtimeSec), 12), 136, 'ascii');
  header.write(' '.repeat(8), 148, 'ascii');
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  header.write('root', 265, 'ascii');
  header.write('root', 297, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return header;
}

/** Every block of the archive, in order: header, data, padding per entry, then two zero blocks. */
export function* tarBlocks(entries: Iterable<TarEntry>): Generator<Buffer> {
  for (const entry of entries) {
    yield tarHeader(entry);
    if (entry.data.length > 0) yield entry.data;
    const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (pad) yield Buffer.alloc(pad, 0);
  }
  yield Buffer.alloc(BLOCK * 2, 0);
}

/**
 * Write the entries to a new file at `path` (mode 0600, refused when the path exists) and return
 * the archive's size and sha256. On any failure the half-written file is removed.
 */
export async function writeTarGz(path: string, entries: TarEntry[]): Promise<{ bytes: number; sha256: string }> {
  const handle = await open(path, 'wx', 0o600);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    const gzip = createGzip({ level: 6 });
    const done = (async () => {
      for await (const chunk of gzip as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytes += chunk.length;
        await handle.write(chunk);
      }
    })();
    for (const block of tarBlocks(entries)) {
      if (!gzip.write(block)) await new Promise((resolve) => gzip.once('drain', resolve));
    }
    gzip.end();
    await done;
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    const { rm } = await import('node:fs/promises');
    await rm(path, { force: true });
    throw error;
  }
  return { bytes, sha256: hash.digest('hex') };
}
