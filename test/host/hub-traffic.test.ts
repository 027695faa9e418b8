// Bytes on the wire per device (TLS included), measured through a counting TCP proxy between the
// sink and Mosquitto, and extrapolated to a day with default settings (keepalive 60 s,
// heartbeat 1 h). Budget (DESIGN.md): at most 200 KB per device per day.
import { connect as netConnect, createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigSchema, type HubConfig } from '../../agent/config/schema.js';
import { systemClock } from '../../agent/host/clock.js';
import { createHostFs } from '../../agent/host/fs.js';
import { resolveHubConnection } from '../../agent/hub/hub-config.js';
import { createMqttSink } from '../../agent/hub/mqtt-sink.js';
import { openOutbox } from '../../agent/hub/outbox.js';
import { eventually, startBroker, type TestBroker } from '../harness/mosquitto.js';
import { sampleEvents, sampleStatus } from '../unit/hub/samples.js';

let broker: TestBroker;
let proxy: Server;
let dir = '';
const counted = { up: 0, down: 0, upChunks: 0 };

beforeAll(async () => {
  broker = await startBroker();
  dir = await mkdtemp(join(tmpdir(), 'edge-hub-traffic-'));
  proxy = createServer((client) => {
    const upstream = netConnect(broker.port, '127.0.0.1');
    client.on('data', (chunk) => {
      counted.up += chunk.length;
      counted.upChunks += 1;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      counted.down += chunk.length;
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  proxy?.close();
  await broker?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

const total = () => counted.up + counted.down;

it('stays within 200 KB per device per day with default settings', async () => {
  const address = proxy.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const files = broker.client('device-a');
  const hub = ConfigSchema.parse({ hub: { url: broker.url, ca: broker.ca, cert: files.cert, key: files.key } })
    .hub as HubConfig;
  const resolved = await resolveHubConnection(hub, createHostFs('/'));
  // keepalive 1 s only to see pings quickly; each costs the same bytes at the default 60 s.
  const connection = { ...resolved.connection, url: `mqtts://127.0.0.1:${port}`, keepaliveSec: 1 };
  const outbox = await openOutbox(
    join(dir, 'outbox'),
    { maxBytes: 5 << 20, maxEvents: 10_000 },
    { fs: createHostFs('/'), clock: systemClock },
  );
  const sink = createMqttSink({
    connection,
    outbox,
    clock: systemClock,
    log: { info: () => undefined, warn: () => undefined, debug: () => undefined },
    agentVersion: '0.1.0',
  });
  try {
    sink.start();
    await eventually(() => sink.state().connected, 10_000, 'connected');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const session = total();

    const beforeStatus = total();
    sink.publishStatus(sampleStatus);
    await eventually(() => sink.state().published.statuses === 1, 5000, 'status published');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const status = total() - beforeStatus;

    const beforeEvent = total();
    await sink.report('check-failed', sampleEvents[2]!.body as never);
    await eventually(() => outbox.size().events === 0, 5000, 'event delivered');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const event = total() - beforeEvent;

    const beforeIdle = { bytes: total(), chunks: counted.upChunks };
    await new Promise((resolve) => setTimeout(resolve, 3300));
    const pings = counted.upChunks - beforeIdle.chunks;
    const ping = (total() - beforeIdle.bytes) / Math.max(1, pings);

    // A day at defaults: 1440 keepalive pings, 24 heartbeats, one reconnect, ten events.
    const day = 1440 * ping + 24 * status + session + 10 * event;
    console.log(
      `hub traffic (TLS, both directions): session setup ${session} B, status publish ${status} B, event ${event} B, keepalive ping ${ping.toFixed(0)} B (${pings} seen); ` +
        `per day at defaults ≈ ${(day / 1024).toFixed(1)} KiB (pings ${((1440 * ping) / 1024).toFixed(1)} KiB, heartbeats ${((24 * status) / 1024).toFixed(1)} KiB)`,
    );
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(day).toBeLessThan(200 * 1000);
  } finally {
    await sink.close({ timeoutMs: 1000 });
    await outbox.close();
  }
});
