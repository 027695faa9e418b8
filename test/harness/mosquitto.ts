// A real Mosquitto broker for hub tests, on a free loopback port, with its own PKI.
//
// The TLS broker runs the shipped example (packaging/mosquitto/mosquitto.conf and
// edge-agent.acl) with only paths, the port and the bind address replaced, so the tests check
// the example people copy. Certificates (openssl, EC P-256): a CA, the broker (127.0.0.1 and
// localhost), devices `device-a`, `device-b`, `device-c`, the reader `fleet-reader` and a few
// test readers `reader-1`… that subscribe() hands out in turn. The example binds the client id
// to the certificate CN (one connection per certificate), so subscribers that are open at the
// same time need certificates of their own; the harness gives each test reader the ACL lines
// the example gives fleet-reader, appended to its copy of the ACL. A plain broker (anonymous,
// no TLS) exists for the allowInsecure test. Everything lives in a temp dir under /tmp; nothing
// binds to anything but 127.0.0.1.
import { execa } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { ConfigSchema, type HubConfig } from '../../agent/config/schema.js';
import { systemClock } from '../../agent/host/clock.js';
import { createHostFs } from '../../agent/host/fs.js';
import { resolveHubConnection, type HubConnection } from '../../agent/hub/hub-config.js';
import { createMqttSink, type HubSink } from '../../agent/hub/mqtt-sink.js';
import { openOutbox, type Outbox } from '../../agent/hub/outbox.js';
import { repoRoot } from './bundle.js';

export const MOSQUITTO = '/usr/sbin/mosquitto';
const HOST = '127.0.0.1';

export interface ClientFiles {
  cert: string;
  key: string;
}

export interface TestBroker {
  kind: 'tls' | 'plain';
  url: string;
  port: number;
  dir: string;
  /** CA file that signs the broker and every client certificate. */
  ca: string;
  client(name: string): ClientFiles;
  running(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stop and remove the temp dir. */
  cleanup(): Promise<void>;
  log(): string;
  /** Test reader identities (read every device, write nothing), for subscribe() in turn. */
  readers: string[];
}

export const DEVICES = ['device-a', 'device-b', 'device-c'];
/** Test readers with the same rights as fleet-reader (see the header). */
export const READERS = Array.from({ length: 8 }, (_, i) => `reader-${i + 1}`);

/**
 * `clients`: certificates to make (default the devices, fleet-reader and the test readers).
 * `readers`: more certificates that get fleet-reader's ACL lines, e.g. a hub consumer of its own.
 */
export async function startBroker(
  options: { kind?: 'tls' | 'plain'; clients?: string[]; readers?: string[] } = {},
): Promise<TestBroker> {
  const kind = options.kind ?? 'tls';
  const dir = await mkdtemp(join(tmpdir(), `edge-mosquitto-${kind}-`));
  const port = await freePort();
  const extraReaders = options.readers ?? [];
  const clients = [...(options.clients ?? [...DEVICES, 'fleet-reader', ...READERS]), ...extraReaders];
  const readers = clients.filter((name) => READERS.includes(name));
  const conf = join(dir, 'mosquitto.conf');
  try {
    if (kind === 'tls') await makePki(dir, clients);
    await mkdir(join(dir, 'data'), { recursive: true });
    await writeFile(
      conf,
      kind === 'tls' ? await tlsConfig(dir, port, [...readers, ...extraReaders]) : plainConfig(dir, port),
    );
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let child: ChildProcess | undefined;
  let output = '';
  const start = async () => {
    if (child) return;
    const proc = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-64 * 1024);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.once('exit', () => {
      if (child === proc) child = undefined;
    });
    await waitListening(
      port,
      () => child === proc,
      () => output,
    );
  };
  const stop = async () => {
    const proc = child;
    if (!proc) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    child = undefined;
  };
  try {
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    kind,
    url: `${kind === 'tls' ? 'mqtts' : 'mqtt'}://${HOST}:${port}`,
    port,
    dir,
    ca: join(dir, 'ca.crt'),
    client: (name) => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) }),
    running: () => child !== undefined,
    start,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    cleanup: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
    log: () => output,
    readers,
  };
}

async function tlsConfig(dir: string, port: number, readers: readonly string[]): Promise<string> {
  const example = join(repoRoot, 'packaging', 'mosquitto');
  const acl = await readFile(join(example, 'edge-agent.acl'), 'utf8');
  const readerBlock = /^user fleet-reader\n(topic .*\n)+/m.exec(acl)?.[0];
  if (!readerBlock)
    throw new Error('packaging/mosquitto/edge-agent.acl has no "user fleet-reader" block: update the test harness');
  const testReaders = readers.map((name) => readerBlock.replaceAll('fleet-reader', name)).join('\n');
  await writeFile(join(dir, 'edge-agent.acl'), `${acl}\n# test harness: readers like fleet-reader\n${testReaders}`);
  const replaced = (await readFile(join(example, 'mosquitto.conf'), 'utf8'))
    .replace(/^listener 8883$/m, `listener ${port} ${HOST}`)
    .replace(/^cafile .*$/m, `cafile ${join(dir, 'ca.crt')}`)
    .replace(/^certfile .*$/m, `certfile ${join(dir, 'broker.crt')}`)
    .replace(/^keyfile .*$/m, `keyfile ${join(dir, 'broker.key')}`)
    .replace(/^acl_file .*$/m, `acl_file ${join(dir, 'edge-agent.acl')}`)
    .replace(/^persistence_location .*$/m, `persistence_location ${join(dir, 'data')}/`);
  const settings = replaced.split('\n').filter((line) => !line.startsWith('#'));
  if (
    !settings.includes(`listener ${port} ${HOST}`) ||
    settings.some((line) => line.includes('/etc/mosquitto/') || line.includes('/var/lib/'))
  )
    throw new Error('packaging/mosquitto/mosquitto.conf changed: update the test harness substitutions');
  return `${replaced}\n# test harness\nuser ${userInfo().username}\nlog_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information\n`;
}

function plainConfig(dir: string, port: number): string {
  return `listener ${port} ${HOST}\nallow_anonymous true\npersistence true\npersistence_location ${join(dir, 'data')}/\nuser ${userInfo().username}\nlog_dest stderr\n`;
}

async function makePki(dir: string, clients: readonly string[]): Promise<void> {
  const file = (name: string) => join(dir, name);
  const openssl = async (...args: string[]) => {
    const result = await execa('openssl', args, { reject: false, cwd: dir });
    if (result.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  const names = ['ca', 'broker', ...clients];
  await Promise.all(
    names.map((name) =>
      openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(`${name}.key`)),
    ),
  );
  await openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    file('ca.key'),
    '-out',
    file('ca.crt'),
    '-days',
    '30',
    '-subj',
    '/O=edge-agent tests/CN=edge-agent test CA',
  );
  const leaf = 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\n';
  let serial = 0x1000;
  // Explicit serials: -CAcreateserial races when several certificates are signed at once.
  const sign = async (name: string, subject: string, extensions: string) => {
    serial += 1;
    await writeFile(file(`${name}.ext`), extensions);
    await openssl('req', '-new', '-key', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject);
    await openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-set_serial',
      String(serial),
      '-days',
      '30',
      '-out',
      file(`${name}.crt`),
      '-extfile',
      file(`${name}.ext`),
    );
  };
  await sign(
    'broker',
    `/CN=${HOST}`,
    `${leaf}extendedKeyUsage = serverAuth\nsubjectAltName = IP:${HOST}, DNS:localhost\n`,
  );
  await Promise.all(
    clients.map((name) => sign(name, `/O=edge-agent tests/CN=${name}`, `${leaf}extendedKeyUsage = clientAuth\n`)),
  );
  await Promise.all(names.map((name) => chmod(file(`${name}.key`), 0o600)));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitListening(port: number, alive: () => boolean, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (!alive()) throw new Error(`mosquitto exited:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = netConnect(port, HOST);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`mosquitto did not listen on ${HOST}:${port} within 5 s:\n${log()}`);
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

export interface Subscriber {
  client: MqttClient;
  messages: Received[];
  /** Wait until `done(messages)` holds (bounded); returns the messages. */
  until(done: (messages: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

const nextReader = new WeakMap<TestBroker, number>();

/** The next test reader identity (round robin), or fleet-reader when the broker has none. */
export function takeReader(broker: TestBroker): string {
  if (broker.readers.length === 0) return 'fleet-reader';
  const n = nextReader.get(broker) ?? 0;
  nextReader.set(broker, n + 1);
  return broker.readers[n % broker.readers.length]!;
}

/** A client with a certificate from the harness PKI (default: the next test reader), subscribed to `topics`. */
export async function subscribe(
  broker: TestBroker,
  topics: string[],
  options: { as?: string; mqtt?: IClientOptions } = {},
): Promise<Subscriber> {
  const client = await connectClient(broker, options.as ?? takeReader(broker), {
    reconnectPeriod: 200,
    ...options.mqtt,
  });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) =>
    messages.push({ topic, payload: payload.toString(), retain: packet.retain }),
  );
  await client.subscribeAsync(topics, { qos: 1 });
  return {
    client,
    messages,
    async until(done, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(messages)) {
        if (Date.now() > deadline)
          throw new Error(
            `timed out after ${timeoutMs} ms with ${messages.length} messages: ${messages
              .slice(-5)
              .map((m) => `${m.topic} ${m.payload.slice(0, 80)}`)
              .join(' | ')}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return messages;
    },
    close: () => client.endAsync(true),
  };
}

/** A raw mqtt.js client with a harness certificate (for ACL tests). */
export async function connectClient(
  broker: TestBroker,
  name: string,
  options: IClientOptions = {},
): Promise<MqttClient> {
  const files = broker.client(name);
  const tls =
    broker.kind === 'tls'
      ? { ca: await readFile(broker.ca), cert: await readFile(files.cert), key: await readFile(files.key) }
      : {};
  const client = connect(broker.url, {
    protocolVersion: 5,
    clientId: `${name}-${Math.random().toString(16).slice(2, 8)}`,
    connectTimeout: 5000,
    ...tls,
    ...options,
  });
  client.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} could not connect to ${broker.url}`)), 10_000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return client;
}

export interface TestSink {
  sink: HubSink;
  outbox: Outbox;
  connection: HubConnection;
  /** Outbox directory (a real path; the HostFs root is /). */
  outboxDir: string;
  logs: string[];
  /** Close the sink (graceful offline) and the outbox, remove the outbox dir. */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/**
 * An in-process sink with the client certificate `as` (default device-a), fast reconnects and a
 * 1 s status interval. `hub` overrides config keys (e.g. deviceId).
 */
export async function createTestSink(
  broker: TestBroker,
  options: {
    as?: string;
    hub?: Record<string, unknown>;
    limits?: { maxBytes: number; maxEvents: number };
    start?: boolean;
    outboxDir?: string;
  } = {},
): Promise<TestSink> {
  const files = broker.client(options.as ?? 'device-a');
  const tlsFiles =
    broker.kind === 'tls'
      ? { ca: broker.ca, cert: files.cert, key: files.key }
      : { allowInsecure: true, deviceId: options.as ?? 'device-a' };
  const hub = ConfigSchema.parse({ hub: { url: broker.url, statusMinIntervalSec: 1, ...tlsFiles, ...options.hub } })
    .hub as HubConfig;
  const fs = createHostFs('/');
  const logs: string[] = [];
  const log = {
    info: (m: string) => logs.push(`info: ${m}`),
    warn: (m: string) => logs.push(`warn: ${m}`),
    debug: (m: string) => logs.push(`debug: ${m}`),
  };
  const { connection, warnings } = await resolveHubConnection(hub, fs);
  logs.push(...warnings.map((w) => `warn: ${w}`));
  const outboxDir = options.outboxDir ?? (await mkdtemp(join(tmpdir(), 'edge-sink-outbox-')));
  const outbox = await openOutbox(outboxDir, options.limits ?? { maxBytes: 5 << 20, maxEvents: 10_000 }, {
    fs,
    clock: systemClock,
    log,
  });
  const sink = createMqttSink({
    connection,
    outbox,
    clock: systemClock,
    log,
    agentVersion: '0.0.0-test',
    backoff: { initialMs: 100, maxMs: 1000 },
    connectTimeoutMs: 5000,
  });
  if (options.start !== false) sink.start();
  return {
    sink,
    outbox,
    connection,
    outboxDir,
    logs,
    async close(closeOptions) {
      await sink.close(closeOptions);
      await outbox.close().catch(() => undefined);
      if (!options.outboxDir) await rm(outboxDir, { recursive: true, force: true });
    },
  };
}

/** Wait (bounded) until `check` holds. */
export async function eventually(check: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A device's connection to this broker as a virtual device gets it: the `hub:` lines of its
 * config.yaml (with a one-second status interval, so tests see changes soon) and the files they
 * name (the broker's CA, the client's certificate, its key as 0600).
 */
export async function deviceHubSetup(
  broker: TestBroker,
  name = 'device-a',
): Promise<{ config: string[]; files: Record<string, string | { content: string; mode: number }> }> {
  const client = broker.client(name);
  return {
    config: [
      'hub:',
      `  url: ${broker.url}`,
      '  ca: /etc/edge-agent/hub/ca.crt',
      '  cert: /etc/edge-agent/hub/device.crt',
      '  key: /etc/edge-agent/hub/device.key',
      '  statusMinIntervalSec: 1',
    ],
    files: {
      '/etc/edge-agent/hub/ca.crt': await readFile(broker.ca, 'utf8'),
      '/etc/edge-agent/hub/device.crt': await readFile(client.cert, 'utf8'),
      '/etc/edge-agent/hub/device.key': { content: await readFile(client.key, 'utf8'), mode: 0o600 },
    },
  };
}
