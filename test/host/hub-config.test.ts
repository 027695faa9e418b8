// From the hub config to a connection, with real certificates and files: TLS required unless
// explicitly allowed, private keys readable by others refused, the device id from config, the
// certificate CN or /etc/machine-id, and key material kept out of logs and errors.
import { chmod, copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema, type HubConfig } from '../../agent/config/schema.js';
import { ConfigError } from '../../agent/errors.js';
import { systemClock } from '../../agent/host/clock.js';
import { createHostFs } from '../../agent/host/fs.js';
import { startHub } from '../../agent/hub/hub.js';
import { resolveHubConnection } from '../../agent/hub/hub-config.js';
import { createTestSink, eventually, startBroker, subscribe, type TestBroker } from '../harness/mosquitto.js';

let broker: TestBroker;
let plain: TestBroker;
let dir = '';
const fs = createHostFs('/');

beforeAll(async () => {
  [broker, plain] = await Promise.all([startBroker(), startBroker({ kind: 'plain' })]);
  dir = await mkdtemp(join(tmpdir(), 'edge-hub-config-'));
});
afterAll(async () => {
  await Promise.all([broker?.cleanup(), plain?.cleanup()]);
  await rm(dir, { recursive: true, force: true });
});

const hub = (overrides: Partial<HubConfig> = {}): HubConfig => ({
  url: broker.url,
  allowInsecure: false,
  ca: broker.ca,
  cert: broker.client('device-a').cert,
  key: broker.client('device-a').key,
  topicPrefix: 'edge/v1',
  heartbeatSec: 3600,
  statusMinIntervalSec: 30,
  keepaliveSec: 60,
  ...overrides,
});

async function configError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as Error).message;
}

describe('device id', () => {
  it('is the client certificate CN by default', async () => {
    const { connection, warnings } = await resolveHubConnection(hub(), fs);
    expect(connection).toMatchObject({ deviceId: 'device-a', deviceIdSource: 'certificate' });
    expect(warnings).toEqual([]);
  });

  it('is hub.deviceId when set, with a warning when it differs from the CN', async () => {
    const { connection, warnings } = await resolveHubConnection(hub({ deviceId: 'lab-7' }), fs);
    expect(connection).toMatchObject({ deviceId: 'lab-7', deviceIdSource: 'config' });
    expect(warnings.join('\n')).toMatch(/differs from the client certificate CN device-a/);
  });

  it('falls back to /etc/machine-id without a certificate', async () => {
    const root = join(dir, 'root');
    await mkdir(join(root, 'etc'), { recursive: true });
    await writeFile(join(root, 'etc', 'machine-id'), '0123456789abcdef0123456789abcdef\n');
    const { connection } = await resolveHubConnection(
      hub({ url: plain.url, allowInsecure: true, ca: undefined, cert: undefined, key: undefined }),
      createHostFs(root),
    );
    expect(connection).toMatchObject({ deviceId: '0123456789abcdef0123456789abcdef', deviceIdSource: 'machine-id' });
  });

  it('is an error when there is none', async () => {
    const message = await configError(
      resolveHubConnection(
        hub({ url: plain.url, allowInsecure: true, ca: undefined, cert: undefined, key: undefined }),
        createHostFs(join(dir, 'empty-root')),
      ),
    );
    expect(message).toMatch(/hub\.deviceId: no device id/);
  });
});

describe('refusals', () => {
  it('refuses plain mqtt:// without allowInsecure, naming hub.url', async () => {
    const message = await configError(resolveHubConnection(hub({ url: plain.url }), fs));
    expect(message).toMatch(/hub\.url: plain mqtt:\/\/ .* refused unless hub\.allowInsecure is set/);
  });

  it.each([0o644, 0o640, 0o604])('refuses a private key with mode %o, naming the file and its mode', async (mode) => {
    const key = join(dir, `key-${mode.toString(8)}.pem`);
    await copyFile(broker.client('device-a').key, key);
    await chmod(key, mode);
    const message = await configError(resolveHubConnection(hub({ key }), fs));
    expect(message).toContain(
      `${key}: hub.key: the private key is readable by group or others (mode 0${mode.toString(8)})`,
    );
    expect(message).toContain(`chmod 600 ${key}`);
  });

  it('names a missing file', async () => {
    const message = await configError(resolveHubConnection(hub({ ca: join(dir, 'nope.crt') }), fs));
    expect(message).toBe(`${join(dir, 'nope.crt')}: hub.ca: the file does not exist`);
  });

  it('names a certificate that is not one', async () => {
    const junk = join(dir, 'junk.crt');
    await writeFile(junk, 'not a certificate');
    expect(await configError(resolveHubConnection(hub({ cert: junk }), fs))).toMatch(
      /junk\.crt: hub\.cert: not a PEM certificate/,
    );
  });
});

describe('secrets', () => {
  it('never print the private key', async () => {
    const { connection } = await resolveHubConnection(hub(), fs);
    const pem = await readFile(broker.client('device-a').key, 'utf8');
    const body = pem.split('\n')[1]!;
    for (const text of [JSON.stringify(connection), inspect(connection, { depth: 10 }), String(connection.tls.key)]) {
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain(body);
    }
    expect(connection.tls.key?.reveal().toString()).toBe(pem);
  });

  it('keep out of the error for a key that does not match the certificate', async () => {
    // Refused before any connection (it would only fail the TLS handshake, vaguely).
    const message = await configError(resolveHubConnection(hub({ key: broker.client('device-b').key }), fs));
    expect(message).toMatch(
      /device-b\.key: hub\.key: this private key does not belong to the certificate .*device-a\.crt/,
    );
    const pem = await readFile(broker.client('device-b').key, 'utf8');
    expect(message).not.toContain('PRIVATE KEY');
    expect(message).not.toContain(pem.split('\n')[1]!);
  });
});

it('works over plain mqtt:// when allowInsecure is set', async () => {
  const test = await createTestSink(plain, { as: 'plain-device' });
  try {
    const sub = await subscribe(plain, ['edge/v1/plain-device/status']);
    test.sink.publishStatus({ verdict: 'green' });
    await sub.until((m) => m.length >= 1);
    await sub.close();
  } finally {
    await test.close();
  }
});

it('startHub: nothing without a hub; with one, a sink over an outbox in the re-rooted /var', async () => {
  const root = join(dir, 'device-root');
  await mkdir(join(root, 'etc', 'edge-agent'), { recursive: true });
  for (const [from, to] of [
    [broker.ca, 'ca.crt'],
    [broker.client('device-a').cert, 'device.crt'],
    [broker.client('device-a').key, 'device.key'],
  ] as const) {
    await copyFile(from, join(root, 'etc', 'edge-agent', to));
  }
  await chmod(join(root, 'etc', 'edge-agent', 'device.key'), 0o600);
  const host = { fs: createHostFs(root), clock: systemClock };
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
  expect(await startHub(ConfigSchema.parse({}), host, quiet, '0.0.0-test')).toBeUndefined();

  const config = ConfigSchema.parse({
    hub: {
      url: broker.url,
      ca: '/etc/edge-agent/ca.crt',
      cert: '/etc/edge-agent/device.crt',
      key: '/etc/edge-agent/device.key',
    },
  });
  const hubStarted = await startHub(config, host, quiet, '0.0.0-test');
  try {
    expect(hubStarted?.sink.deviceId).toBe('device-a');
    await hubStarted?.sink.report('update-staged', { deployment: { version: '9.4.2', checksum: 'bbbbbbbbbbbb' } });
    await eventually(
      () => hubStarted?.outbox.size().events === 0 && hubStarted.sink.state().published.events === 1,
      10_000,
      'event delivered',
    );
    expect((await readdir(join(root, 'var', 'lib', 'edge-agent', 'outbox'))).some((f) => f.startsWith('seg-'))).toBe(
      true,
    );
  } finally {
    await hubStarted?.close({ timeoutMs: 1000 });
  }
});
