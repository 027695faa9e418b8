// Hub files that arrive later, against a real Mosquitto: a hub whose files do not exist yet waits
// (events still queue), notices them through inotify when they appear, even in a directory that
// did not exist, and delivers; a file that exists but is wrong (not PEM, a key of another device,
// a key others can read) is an error naming the path, looked at again when the file changes.
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../agent/config/schema.js';
import { systemClock } from '../../agent/host/clock.js';
import { createHostFs } from '../../agent/host/fs.js';
import { startHub, type Hub } from '../../agent/hub/hub.js';
import { readTlsMaterial } from '../../agent/hub/hub-config.js';
import { eventually, startBroker, subscribe, type TestBroker } from '../harness/mosquitto.js';

let broker: TestBroker;
let root = '';
let started: Hub | undefined;
const lines: string[] = [];
const log = {
  info: (a: unknown, b?: string) => void lines.push(`info: ${typeof a === 'string' ? a : b}`),
  warn: (a: unknown, b?: string) => void lines.push(`warn: ${typeof a === 'string' ? a : b}`),
  error: (a: unknown, b?: string) => void lines.push(`error: ${typeof a === 'string' ? a : b}`),
  debug: () => undefined,
};

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker?.cleanup();
});
afterEach(async () => {
  await started?.close({ timeoutMs: 1000 });
  started = undefined;
  lines.length = 0;
  if (root) await rm(root, { recursive: true, force: true });
});

const HUB_DIR = '/etc/edge-agent/hub';
const paths = { ca: `${HUB_DIR}/ca.crt`, cert: `${HUB_DIR}/device.crt`, key: `${HUB_DIR}/device.key` };

/** A re-rooted device tree with an outbox directory and no hub files. */
async function deviceRoot(): Promise<string> {
  root = await mkdtemp(join(tmpdir(), 'edge-hub-wait-'));
  await mkdir(join(root, 'var', 'lib', 'edge-agent'), { recursive: true });
  await mkdir(join(root, 'etc', 'edge-agent'), { recursive: true });
  return root;
}

/** Install the three files as a provisioning step would: the directory too, the key 0600. */
async function provision(client = 'device-a', what: Array<keyof typeof paths> = ['ca', 'cert', 'key']): Promise<void> {
  await mkdir(join(root, HUB_DIR), { recursive: true });
  const from = { ca: broker.ca, cert: broker.client(client).cert, key: broker.client(client).key };
  for (const name of what) {
    await copyFile(from[name], join(root, paths[name]));
    if (name === 'key') await chmod(join(root, paths.key), 0o600);
  }
}

async function start(timing: { pollMs?: number; inotify?: boolean } = {}): Promise<Hub> {
  const config = ConfigSchema.parse({ hub: { url: broker.url, ...paths, statusMinIntervalSec: 1 } });
  // A long poll by default: within a test, only inotify can notice the files in time.
  started = await startHub(config, { fs: createHostFs(root), clock: systemClock }, log, '0.0.0-test', {
    pollMs: 60_000,
    settleMs: 100,
    ...timing,
  });
  return started!;
}

describe('a hub whose files arrive later', () => {
  it('waits, keeps events, and connects and delivers once the files appear in a directory made later', async () => {
    await deviceRoot();
    const watcher = await subscribe(broker, ['edge/v1/device-a/#']);
    try {
      const hub = await start();
      expect(hub.link()).toEqual({ state: 'waiting', path: paths.cert });
      expect(hub.sink.state()).toMatchObject({ connected: false, lastError: `waiting for ${paths.cert}` });
      expect(lines).toContain(
        `info: hub: waiting for ${paths.cert} before connecting to ${broker.url}; local work goes on`,
      );
      await hub.sink.report('update-staged', { deployment: { version: '9.4.2', checksum: 'bbbbbbbbbbbb' } });
      expect(hub.outbox.size().events).toBe(1);

      // Certificate and key first: still waiting, now for the CA.
      await provision('device-a', ['cert', 'key']);
      await eventually(
        () => hub.link().state === 'waiting' && (hub.link() as { path: string }).path === paths.ca,
        10_000,
        'waiting for the CA',
      );
      await provision();
      await eventually(() => hub.link().state === 'ready', 10_000, 'the hub noticing its files');
      await eventually(
        () => hub.sink.state().connected && hub.outbox.size().events === 0,
        15_000,
        'connected and the queued event delivered',
      );
      await watcher.until(
        (m) => m.some((x) => x.topic === 'edge/v1/device-a/events' && x.payload.includes('update-staged')),
        10_000,
      );
      expect(hub.sink.deviceId).toBe('device-a');
      expect(lines).toContain(`info: hub: the files are in place now, connecting to ${broker.url}`);
    } finally {
      await watcher.close();
    }
  });

  it('follows its directory being removed and made again', async () => {
    await deviceRoot();
    const hub = await start();
    await rm(join(root, 'etc', 'edge-agent'), { recursive: true });
    await provision();
    await eventually(() => hub.link().state === 'ready', 10_000, 'the hub noticing its files');
  });

  it('finds the files by its slow poll where inotify does not help', async () => {
    await deviceRoot();
    const hub = await start({ pollMs: 300, inotify: false });
    await provision();
    await eventually(() => hub.link().state === 'ready', 10_000, 'the poll finding the files');
  });
});

describe('a hub file that exists but is wrong', () => {
  it('is an error naming the path, and the hub connects once the file is fixed', async () => {
    await deviceRoot();
    await provision();
    await writeFile(join(root, paths.cert), 'not a certificate\n');
    const hub = await start();
    const link = hub.link();
    expect(link).toMatchObject({ state: 'error', path: paths.cert });
    expect((link as { message: string }).message).toMatch(
      /^\/etc\/edge-agent\/hub\/device\.crt: hub\.cert: not a PEM certificate \(.+\); expected a PEM certificate/,
    );
    expect(lines.some((l) => l.startsWith(`error: hub: ${paths.cert}: hub.cert: not a PEM certificate`))).toBe(true);
    await provision('device-a', ['cert']);
    await eventually(() => hub.sink.state().connected, 15_000, 'connected after the fix');
  });

  it('refuses a key that belongs to another certificate, naming both files', async () => {
    await deviceRoot();
    await provision();
    await copyFile(broker.client('device-b').key, join(root, paths.key));
    const hub = await start();
    expect(hub.link()).toEqual({
      state: 'error',
      path: paths.key,
      message: `${paths.key}: hub.key: this private key does not belong to the certificate ${paths.cert} (hub.cert); expected the private key that ${paths.cert} was issued for`,
    });
  });

  it('refuses a key that is not PEM, and a CA file that is not a certificate', async () => {
    await deviceRoot();
    await provision();
    const fs = createHostFs(root);
    await writeFile(join(root, paths.key), 'garbage', { mode: 0o600 });
    await expect(readTlsMaterial(paths, fs)).rejects.toThrow(
      /^\/etc\/edge-agent\/hub\/device\.key: hub\.key: not a PEM private key \(.+\); expected an unencrypted PEM private key/,
    );
    await provision();
    await writeFile(join(root, paths.ca), 'garbage');
    await expect(readTlsMaterial(paths, fs)).rejects.toThrow(
      /^\/etc\/edge-agent\/hub\/ca\.crt: hub\.ca: not a PEM CA certificate/,
    );
  });

  it('reports a key others can read, and still opens its outbox', async () => {
    await deviceRoot();
    await provision();
    await chmod(join(root, paths.key), 0o644);
    const hub = await start();
    expect(hub.link()).toMatchObject({ state: 'error', path: paths.key });
    expect(hub.sink.state().lastError).toMatch(/readable by group or others \(mode 0644\)/);
    await hub.sink.report('update-staged', { deployment: { version: '9.4.2', checksum: 'bbbbbbbbbbbb' } });
    expect(hub.outbox.size().events).toBe(1);
  });
});
