// Support bundles sent by devices (`edge-agent support-bundle --upload`): PUT in chunks with a
// Content-Range, GET to learn how much arrived. Whatever bytes of a chunk arrive before a
// connection drops are kept, so the device goes on from exactly there. A bundle is accepted only
// for a device the hub knows (it has reported through the broker, which checked its certificate),
// within the size cap, and only once its sha256 matches the name it was sent under.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HubStore } from '../../hub/store.js';
import { compareCodeUnits } from '../../core/compare.js';

export interface BundleOptions {
  dir: string;
  maxBytes: number;
  keepPerDevice: number;
}

export type Reply = (status: number, body: Record<string, unknown>) => void;

// One chunk per request; bigger chunks would hold a request open past the server's 30 s limit on
// a slow link.
const MAX_CHUNK = 16 * 1024 * 1024;
const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

const sizeOf = async (path: string) => (await stat(path).catch(() => undefined))?.size;

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Keep the newest `keep` complete bundles of a device (by modification time). */
async function prune(dir: string, keep: number): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.tar.gz'));
  const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(dir, n))).mtimeMs })));
  for (const { n } of dated.sort((a, b) => b.t - a.t).slice(keep)) await rm(join(dir, n), { force: true });
}

export function createBundleHandler(options: BundleOptions, store: HubStore) {
  // One writer per bundle at a time: two appends at the same offset would interleave.
  const busy = new Set<string>();

  return async function handleBundle(request: IncomingMessage, id: string, sha: string, reply: Reply): Promise<void> {
    if (!DEVICE_ID.test(id))
      return reply(400, { error: 'bad-request', message: 'device id: letters, digits, ".", "_", ":", "-"' });
    if (!(await store.device(id))) return reply(404, { error: 'not-found', message: `no device ${id}` });
    const dir = join(options.dir, id);
    const done = join(dir, `${sha}.tar.gz`);
    const part = join(dir, `${sha}.part`);
    const meta = join(dir, `${sha}.json`);
    const doneSize = await sizeOf(done);
    if (request.method !== 'PUT') {
      if (doneSize !== undefined) return reply(200, { received: doneSize, size: doneSize, complete: true });
      const received = await sizeOf(part);
      if (received === undefined) return reply(404, { error: 'no-upload', message: `no upload of ${sha} from ${id}` });
      const { size } = JSON.parse(await readFile(meta, 'utf8')) as { size: number };
      return reply(200, { received, size, complete: false });
    }
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(request.headers['content-range'] ?? '');
    if (!range) return reply(400, { error: 'bad-request', message: 'Content-Range: expected "bytes START-END/SIZE"' });
    const [start, end, size] = [Number(range[1]), Number(range[2]), Number(range[3])];
    const length = end - start + 1;
    if (size > options.maxBytes)
      return reply(413, {
        error: 'too-large',
        message: `bundle of ${size} bytes: at most ${options.maxBytes} accepted`,
      });
    if (length < 1 || length > MAX_CHUNK || end >= size)
      return reply(400, {
        error: 'bad-request',
        message: `Content-Range: a chunk of 1 to ${MAX_CHUNK} bytes inside the bundle`,
      });
    if (doneSize !== undefined) return reply(200, { received: doneSize, complete: true });
    const key = `${id}/${sha}`;
    if (busy.has(key)) return reply(503, { error: 'busy', message: 'another upload of this bundle is running' });
    busy.add(key);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const have = (await sizeOf(part)) ?? 0;
      if (have === 0) await writeFile(meta, JSON.stringify({ size }), { mode: 0o600 });
      else if ((JSON.parse(await readFile(meta, 'utf8')) as { size: number }).size !== size)
        return reply(409, {
          error: 'size-changed',
          message: 'this bundle was started with another size',
          received: have,
        });
      if (start !== have)
        return reply(409, { error: 'offset', message: `expected a chunk from byte ${have}`, received: have });
      let taken = 0;
      const upTo = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          taken += chunk.length;
          if (taken > length) return callback(new Error('body longer than its Content-Range'));
          callback(null, chunk);
        },
      });
      try {
        await pipeline(request, upTo, createWriteStream(part, { flags: 'a', mode: 0o600 }));
      } catch {
        // A dropped connection: what arrived stays, and the device asks for the offset again.
        return reply(400, { error: 'incomplete', received: (await sizeOf(part)) ?? 0 });
      }
      const received = (await sizeOf(part)) ?? 0;
      if (received < size) return reply(200, { received, complete: false });
      if ((await sha256Of(part)) !== sha) {
        await rm(part, { force: true });
        await rm(meta, { force: true });
        return reply(422, {
          error: 'sha256-mismatch',
          message: `the bytes received do not have sha256 ${sha}: send it again`,
        });
      }
      await rename(part, done);
      await rm(meta, { force: true });
      await prune(dir, options.keepPerDevice);
      return reply(200, { received, complete: true });
    } finally {
      busy.delete(key);
    }
  };
}

export interface StoredBundle {
  sha256: string;
  size: number;
  /** When the last byte arrived (the complete file's modification time). */
  uploadedAt: string;
}

/** A device's complete bundles, newest first (uploads still under way are not listed). */
export async function listBundles(options: BundleOptions, id: string): Promise<StoredBundle[]> {
  if (!DEVICE_ID.test(id)) return [];
  const dir = join(options.dir, id);
  const names = await readdir(dir).catch(() => [] as string[]);
  const found = await Promise.all(
    names
      .filter((n) => /^[0-9a-f]{64}\.tar\.gz$/.test(n))
      .map(async (n) => {
        const info = await stat(join(dir, n)).catch(() => undefined);
        return info && { sha256: n.slice(0, 64), size: info.size, uploadedAt: info.mtime.toISOString() };
      }),
  );
  return found
    .filter((b): b is StoredBundle => b !== undefined)
    .sort((a, b) => compareCodeUnits(b.uploadedAt, a.uploadedAt));
}

/** The path and size of a complete bundle, or undefined. */
export async function bundleFile(
  options: BundleOptions,
  id: string,
  sha: string,
): Promise<{ path: string; size: number } | undefined> {
  if (!DEVICE_ID.test(id) || !/^[0-9a-f]{64}$/.test(sha)) return undefined;
  const path = join(options.dir, id, `${sha}.tar.gz`);
  const size = await sizeOf(path);
  return size === undefined ? undefined : { path, size };
}
