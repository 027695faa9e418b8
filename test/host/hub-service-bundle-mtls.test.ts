// Bundle uploads authenticated per device: the hub service trusts the broker's device CA
// (http.deviceCa), and a device uploads with its own MQTT client certificate through the real
// upload client. Device A's certificate cannot upload as device B, a token alone cannot upload
// at all, and a device certificate opens no operator page.
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubServiceConfigSchema } from '../../agent/commands/hub/hub-service-config.js';
import { startHubService, type HubService } from '../../agent/commands/hub/service.js';
import { uploadBundle } from '../../agent/commands/support-bundle/upload.js';
import { HostError } from '../../agent/errors.js';
import { Secret } from '../../agent/hub/hub-config.js';
import { createHostFs } from '../../agent/host/fs.js';
import { connectDevice, deployment, type VirtualDevice } from '../harness/hub-service-devices.js';
import { startBroker, type TestBroker } from '../harness/mosquitto.js';

const TOKEN = 'operator-token-0123456789abcdef';
const hasSqlite = Number(process.versions.node.split('.')[0]) >= 22;

describe.skipIf(!hasSqlite)('hub service: bundle uploads proven by the device certificate', () => {
  let broker: TestBroker;
  let dir: string;
  let service: HubService;
  let ca: Buffer;
  const devices: VirtualDevice[] = [];

  beforeAll(async () => {
    broker = await startBroker({ clients: ['device-a', 'device-b', 'edge-agent-hub'] });
    dir = await mkdtemp(join(tmpdir(), 'edge-hub-mtls-'));
    ca = await readFile(broker.ca);
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const client = broker.client('edge-agent-hub');
    // The broker's own server certificate (127.0.0.1, signed by the same CA) serves the HTTPS side.
    const config = HubServiceConfigSchema.parse({
      broker: { url: broker.url, ca: broker.ca, cert: client.cert, key: client.key, clientId: 'edge-agent-hub-mtls' },
      store: { kind: 'sqlite', path: join(dir, 'hub.db') },
      http: {
        port: 0,
        cert: join(broker.dir, 'broker.crt'),
        key: join(broker.dir, 'broker.key'),
        tokenFile,
        deviceCa: broker.ca,
      },
      bundles: { dir: join(dir, 'bundles') },
    });
    const quiet = () => undefined;
    service = await startHubService(config, {
      fs: createHostFs('/'),
      log: { error: quiet, warn: quiet, info: quiet, debug: quiet, flush: (cb) => cb?.() },
      file: join(dir, 'hub.yaml'),
    });
    for (const id of ['device-a', 'device-b']) {
      const device = await connectDevice(broker, id);
      devices.push(device);
      await device.status({ booted: deployment('9.4.1') });
    }
    const deadline = Date.now() + 30_000;
    while (!(await service.store.device('device-a')) || !(await service.store.device('device-b'))) {
      if (Date.now() > deadline) throw new Error('the hub service never stored both devices');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    for (const device of devices) await device.close().catch(() => undefined);
    await service?.close();
    await broker?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function bundleFile(size: number): Promise<{ file: string; sha256: string; size: number }> {
    const data = randomBytes(size);
    const file = join(dir, `bundle-${size}.tar.gz`);
    await writeFile(file, data);
    return { file, sha256: createHash('sha256').update(data).digest('hex'), size };
  }

  async function identity(name: string) {
    const files = broker.client(name);
    return { cert: await readFile(files.cert), key: new Secret(await readFile(files.key)) };
  }

  const upload = async (as: string, deviceId: string, bundle: { file: string; sha256: string; size: number }) =>
    uploadBundle({
      url: service.httpUrl,
      ca,
      ...(await identity(as)),
      deviceId,
      ...bundle,
      chunkBytes: 4096,
      signal: AbortSignal.timeout(60_000),
      maxAttempts: 1,
    });

  /** One HTTPS request with or without a client certificate and token. */
  function call(path: string, opts: { as?: string; token?: string; method?: string; body?: Buffer; range?: string }) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const files = opts.as ? broker.client(opts.as) : undefined;
      void (async () => {
        const req = request(
          new URL(path, service.httpUrl),
          {
            method: opts.method ?? 'GET',
            ca,
            ...(files && { cert: await readFile(files.cert), key: await readFile(files.key) }),
            headers: {
              ...(opts.token && { authorization: `Bearer ${opts.token}` }),
              ...(opts.range && { 'content-range': opts.range }),
            },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (c: Buffer) => chunks.push(c));
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
            );
          },
        );
        req.on('error', reject);
        req.end(opts.body);
      })().catch(reject);
    });
  }

  it('takes a device’s bundle in chunks when its certificate names it, with no token', async () => {
    const bundle = await bundleFile(10_000);
    await upload('device-a', 'device-a', bundle);
    const stored = await readFile(join(dir, 'bundles', 'device-a', `${bundle.sha256}.tar.gz`));
    expect(createHash('sha256').update(stored).digest('hex')).toBe(bundle.sha256);
  });

  it('refuses device A uploading as device B, and keeps nothing under B', async () => {
    const bundle = await bundleFile(3000);
    const error = await upload('device-a', 'device-b', bundle).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect((error as Error).message).toContain(
      'HTTP 403 forbidden: the client certificate is for "device-a", not device device-b',
    );
    expect(await readdir(join(dir, 'bundles', 'device-b')).catch(() => [])).toEqual([]);
  });

  it('refuses an upload with the operator token but no device certificate', async () => {
    const r = await call(`/api/v1/devices/device-b/bundles/${'a'.repeat(64)}`, {
      token: TOKEN,
      method: 'PUT',
      body: Buffer.alloc(10),
      range: 'bytes 0-9/10',
    });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({
      error: 'unauthorized',
      message: expect.stringContaining('certificate'),
    });
  });

  it('opens operator pages to the token only, not to a device certificate', async () => {
    expect((await call('/api/v1/overview', { as: 'device-a' })).status).toBe(401);
    const listed = await call('/api/v1/devices/device-a/bundles', { token: TOKEN });
    expect(listed.status).toBe(200);
    expect((JSON.parse(listed.body) as { bundles: unknown[] }).bundles).toHaveLength(1);
  });
});
