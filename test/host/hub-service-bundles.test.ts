// The hub service's support-bundle endpoint, spoken to directly: the token, the known-device
// rule, the size cap, offsets that do not follow on, a sha256 that does not match, and a bundle
// that arrives whole after its chunks.
import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUploadHub, type UploadHub } from '../harness/bundle-hub.js';

const TOKEN = 'bundle-test-token-0123456789';
const hasSqlite = Number(process.versions.node.split('.')[0]) >= 22;
let hub: UploadHub;

beforeAll(async () => {
  if (hasSqlite) hub = await startUploadHub({ token: TOKEN, knownDevice: 'device-a', maxBytes: 2 * 1024 * 1024 });
});
afterAll(async () => hub?.close());

function put(path: string, body: Buffer, range: string, token = TOKEN) {
  return fetch(`http://127.0.0.1:${hub.port}${path}`, {
    method: 'PUT',
    body,
    headers: { authorization: `Bearer ${token}`, 'content-range': range },
  });
}
const get = (path: string) =>
  fetch(`http://127.0.0.1:${hub.port}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe.skipIf(!hasSqlite)('hub service: support bundle uploads', () => {
  it('takes a bundle in chunks, says how much it has, and keeps it 0600 once the sha256 matches', async () => {
    const data = randomBytes(10_000);
    const path = `/api/v1/devices/device-a/bundles/${sha(data)}`;
    expect((await get(path)).status).toBe(404);
    let r = await put(path, data.subarray(0, 4000), 'bytes 0-3999/10000');
    expect(await r.json()).toEqual({ received: 4000, complete: false });
    expect(await (await get(path)).json()).toEqual({ received: 4000, size: 10000, complete: false });
    // A chunk that does not start where the last one ended: the service says where to go on.
    r = await put(path, data.subarray(5000), 'bytes 5000-9999/10000');
    expect(r.status).toBe(409);
    expect(await r.json()).toMatchObject({ error: 'offset', received: 4000 });
    r = await put(path, data.subarray(4000), 'bytes 4000-9999/10000');
    expect(await r.json()).toEqual({ received: 10000, complete: true });
    const file = join(hub.bundlesDir, 'device-a', `${sha(data)}.tar.gz`);
    expect(await readFile(file)).toEqual(data);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await (await get(path)).json()).toEqual({ received: 10000, size: 10000, complete: true });
    // Listed for operators, and downloadable with the token only.
    const listed = (await (await get('/api/v1/devices/device-a/bundles')).json()) as { bundles: unknown[] };
    expect(listed.bundles).toContainEqual(expect.objectContaining({ sha256: sha(data), size: 10000 }));
    expect(Buffer.from(await (await get(`${path}.tar.gz`)).arrayBuffer())).toEqual(data);
    const anonymous = await fetch(`http://127.0.0.1:${hub.port}${path}.tar.gz`);
    expect(anonymous.status).toBe(401);
    expect((await get(`/api/v1/devices/device-a/bundles/${'c'.repeat(64)}.tar.gz`)).status).toBe(404);
  });

  it('drops bytes whose sha256 is not the one they were sent under', async () => {
    const data = randomBytes(3000);
    const path = `/api/v1/devices/device-a/bundles/${sha(Buffer.from('something else'))}`;
    const r = await put(path, data, 'bytes 0-2999/3000');
    expect(r.status).toBe(422);
    expect(await r.json()).toMatchObject({ error: 'sha256-mismatch' });
    expect((await get(path)).status).toBe(404);
  });

  it.each([
    ['without the token', 'x'.repeat(28), 'bytes 0-9/10', 401, 'unauthorized'],
    ['over the size cap', TOKEN, `bytes 0-9/${3 * 1024 * 1024}`, 413, 'too-large'],
    ['without a Content-Range', TOKEN, 'lots', 400, 'bad-request'],
  ])('refuses a chunk %s', async (_what, token, range, status, error) => {
    const r = await put(`/api/v1/devices/device-a/bundles/${'a'.repeat(64)}`, Buffer.alloc(10), range, token);
    expect(r.status).toBe(status);
    expect(await r.json()).toMatchObject({ error });
  });

  it('refuses a device it has never heard from, naming it', async () => {
    const r = await put(`/api/v1/devices/device-zz/bundles/${'b'.repeat(64)}`, Buffer.alloc(10), 'bytes 0-9/10');
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: 'not-found', message: 'no device device-zz' });
  });

  it('allows PUT on the bundle path only', async () => {
    const r = await fetch(`http://127.0.0.1:${hub.port}/api/v1/devices/device-a`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(r.status).toBe(405);
  });
});
