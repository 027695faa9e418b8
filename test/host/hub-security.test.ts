// The shipped broker example (packaging/mosquitto) against attacks from its own clients, on a
// real Mosquitto: a device claiming another device's client id, writing outside its three
// topics, sending oversized payloads; the fleet reader writing anything; and a persistent
// consumer that is offline while a device delivers a full backlog. And what a device may still
// write, its own status, reaches the operator's terminal only escaped.
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main as fleet } from '../../agent/commands/fleet/fleet.js';
import type { Deps, Flags } from '../../agent/commands/types.js';
import type { FleetRow } from '../../agent/core/hub/fleet.js';
import { readFleet } from '../../agent/hub/fleet-reader.js';
import { createHost } from '../../agent/host/host.js';
import { createLogger } from '../../agent/host/log.js';
import { readTlsMaterial } from '../../agent/hub/hub-config.js';
import { systemClock } from '../../agent/host/clock.js';
import { createHostFs } from '../../agent/host/fs.js';
import {
  connectClient,
  createTestSink,
  eventually,
  startBroker,
  subscribe,
  takeReader,
  type Subscriber,
  type TestBroker,
  type TestSink,
} from '../harness/mosquitto.js';

let broker: TestBroker;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  // hub-consumer: a reader of its own for the persistent consumer (ACL lines like fleet-reader).
  broker = await startBroker({ readers: ['hub-consumer'] });
});
afterAll(async () => {
  await broker?.cleanup();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function client(name: string, options: Parameters<typeof connectClient>[2] = {}): Promise<MqttClient> {
  const c = await connectClient(broker, name, options);
  cleanups.push(() => c.endAsync(true));
  return c;
}

async function subscriber(topics: string[]): Promise<Subscriber> {
  const sub = await subscribe(broker, topics);
  cleanups.push(() => sub.close());
  return sub;
}

async function sinkFor(options: Parameters<typeof createTestSink>[1]): Promise<TestSink> {
  const sink = await createTestSink(broker, options);
  cleanups.push(() => sink.close({ timeoutMs: 2000 }));
  return sink;
}

/**
 * Retained messages on `topics` and then `control` as a new subscriber sees them. `control` must
 * hold a retained message: the broker sends each subscription's retained messages right after
 * its SUBACK, in order, so once the control arrives, anything retained on `topics` has arrived.
 */
async function retainedOn(topics: string[], control: string): Promise<{ topic: string; bytes: number }[]> {
  const c = await client(takeReader(broker), { reconnectPeriod: 0 });
  const seen: { topic: string; bytes: number; retain: boolean }[] = [];
  c.on('message', (topic, payload, packet) => seen.push({ topic, bytes: payload.length, retain: packet.retain }));
  for (const topic of topics) await c.subscribeAsync(topic, { qos: 1 });
  await c.subscribeAsync(control, { qos: 1 });
  await eventually(() => seen.some((m) => m.topic === control), 10_000, `the retained control message on ${control}`);
  await c.endAsync(true);
  return seen.filter((m) => m.retain).map(({ topic, bytes }) => ({ topic, bytes }));
}

/** Resolves when the broker closed the connection; fails if it still stands after 10 s. */
function closed(c: MqttClient): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the broker kept the connection open after an oversized publish')),
      10_000,
    );
    c.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('client id bound to the certificate', () => {
  it('device A connecting with client id device-b leaves B connected and online', async () => {
    const b = await sinkFor({ as: 'device-b' });
    const watch = await subscriber(['edge/v1/device-b/online', 'edge/v1/device-b/events', 'edge/v1/device-a/events']);
    await watch.until((m) => m.some((x) => x.topic === 'edge/v1/device-b/online' && x.payload === 'online'));
    await eventually(() => b.sink.state().connected, 10_000, 'device B connected');
    expect(b.sink.state().connects).toBe(1);

    const a = await client('device-a', { clientId: 'device-b' });
    // A is connected and is device-a to the broker: it may write its own events, not B's.
    await a.publishAsync('edge/v1/device-a/events', 'from-a', { qos: 1 });
    await expect(a.publishAsync('edge/v1/device-b/events', 'forged', { qos: 1 })).rejects.toThrow(/Not authorized/);
    // B's existing session still carries B's events after A connected.
    await b.sink.report('check-failed', { check: 'c', class: 'wanted', reason: 'after-a' });
    await watch.until((m) => m.some((x) => x.topic === 'edge/v1/device-b/events' && x.payload.includes('after-a')));

    expect(b.sink.state()).toMatchObject({ connected: true, connects: 1 });
    expect(watch.messages.filter((x) => x.topic === 'edge/v1/device-b/online').map((x) => x.payload)).toEqual([
      'online',
    ]);
    expect(watch.messages.some((x) => x.payload === 'forged')).toBe(false);
    expect(broker.log()).toMatch(/New client connected from \S+ as device-a \(.*u'device-a'\)/);
  });
});

describe('a device writes only status, events and online below its own id', () => {
  it('refuses retained messages on any other subtopic, small or 200 KB, and stores none', async () => {
    const a = await client('device-a');
    await a.publishAsync('edge/v1/device-a/status', '{"control":true}', { qos: 1, retain: true });
    for (const topic of ['edge/v1/device-a/foo', 'edge/v1/device-a/status/extra', 'edge/v1/device-a']) {
      await expect(a.publishAsync(topic, 'parked', { qos: 1, retain: true }), topic).rejects.toThrow(/Not authorized/);
    }
    // 200 KB: over the size limit as well, so the broker drops the connection instead.
    const big = await client('device-a', { reconnectPeriod: 0 });
    const gone = closed(big);
    big.publish('edge/v1/device-a/foo', Buffer.alloc(200_000, 0x78), { qos: 1, retain: true });
    await gone;

    const retained = await retainedOn(
      ['edge/v1/device-a/foo', 'edge/v1/device-a/status/extra', 'edge/v1/device-a'],
      'edge/v1/device-a/status',
    );
    expect(retained).toEqual([{ topic: 'edge/v1/device-a/status', bytes: 16 }]);
  });

  it('with MQTT 3.1.1 (acknowledged, then dropped) nothing is stored either', async () => {
    const a = await client('device-c', { protocolVersion: 4 });
    await a.publishAsync('edge/v1/device-c/status', '{"control":true}', { qos: 1, retain: true });
    for (let i = 0; i < 5; i += 1)
      await a.publishAsync(`edge/v1/device-c/junk${i}`, Buffer.alloc(60_000, 0x78), { qos: 1, retain: true });
    const retained = await retainedOn(['edge/v1/device-c/+'], 'edge/v1/device-c/status');
    expect(retained.filter((m) => m.topic !== 'edge/v1/device-c/status')).toEqual([]);
  });
});

describe('payload size limit', () => {
  it('refuses a 200 KB payload on an allowed topic and keeps a 64 KiB event (the largest the outbox takes)', async () => {
    const watch = await subscriber(['edge/v1/device-a/events']);
    const control = await client('device-a');
    await control.publishAsync('edge/v1/device-a/status', '{"control":true}', { qos: 1, retain: true });
    await control.endAsync(true);
    for (const protocolVersion of [4, 5] as const) {
      const big = await client('device-a', { protocolVersion, reconnectPeriod: 0 });
      const gone = closed(big);
      big.publish('edge/v1/device-a/events', Buffer.alloc(200_000, 0x78), { qos: 1 });
      await gone;
    }
    const big = await client('device-a', { reconnectPeriod: 0 });
    const gone = closed(big);
    big.publish('edge/v1/device-a/status', Buffer.alloc(200_000, 0x78), { qos: 1, retain: true });
    await gone;

    const a = await client('device-a');
    await a.publishAsync('edge/v1/device-a/events', Buffer.alloc(64 << 10, 0x79), { qos: 1 });
    await a.publishAsync('edge/v1/device-a/events', 'control', { qos: 1 });
    const seen = await watch.until((m) => m.some((x) => x.payload === 'control'));
    expect(seen.map((x) => x.payload.length)).toEqual([64 << 10, 'control'.length]);
    // The retained status is still the small one from before the 200 KB attempt.
    expect(await retainedOn([], 'edge/v1/device-a/status')).toEqual([{ topic: 'edge/v1/device-a/status', bytes: 16 }]);
  });
});

describe('the fleet reader is read-only', () => {
  it('cannot publish anywhere and does not appear as a device', async () => {
    const sink = await sinkFor({ as: 'device-b' });
    sink.sink.publishStatus({ verdict: 'green' });
    const reader = await client('fleet-reader');
    for (const topic of [
      'edge/v1/fleet-reader/status',
      'edge/v1/fleet-reader/online',
      'edge/v1/fleet-reader/events',
      'edge/v1/device-a/status',
      'edge/v1',
      'elsewhere',
    ]) {
      await expect(
        reader.publishAsync(topic, topic.endsWith('online') ? 'online' : '{}', { qos: 1, retain: true }),
        topic,
      ).rejects.toThrow(/Not authorized/);
    }
    await reader.endAsync(true);
    await eventually(() => sink.sink.state().published.statuses > 0, 10_000, 'device B status');

    const files = broker.client('fleet-reader');
    const tls = await readTlsMaterial({ ca: broker.ca, cert: files.cert, key: files.key }, createHostFs('/'));
    const fleet = await readFleet(
      { url: broker.url, tls, prefix: 'edge/v1', clock: systemClock, signal: new AbortController().signal },
      { settleMs: 500 },
    );
    expect(fleet.state.has('device-b')).toBe(true);
    expect(fleet.state.has('fleet-reader')).toBe(false);
  });
});

describe('edge-agent fleet and a hostile device', () => {
  it('shows escape sequences in a device status as visible text, in the table and --json', async () => {
    const title = '\x1b]0;owned\x07';
    const clear = '\x1b[2J\x1b[H';
    const c = await sinkFor({ as: 'device-c' });
    c.sink.publishStatus({
      verdict: 'red',
      booted: { version: `9.4${title}`, checksum: 'aaaaaaaaaaaa' },
      rollback: {
        at: new Date().toISOString(),
        from: { version: `new${clear}`, checksum: 'b' },
        to: { version: 'old\u202e', checksum: 'c' },
        reason: `${clear}all good\u009b2J`,
      },
    });
    const watch = await subscriber(['edge/v1/device-c/status']);
    await watch.until((m) => m.some((x) => x.payload.includes('owned')));

    const reader = broker.client('fleet-reader');
    const run = async (flags: Flags) => {
      let out = '';
      const deps: Deps = {
        host: createHost(),
        config: undefined as never,
        log: createLogger({ write: () => undefined }),
        signal: new AbortController().signal,
        out: (text) => (out += text),
      };
      expect(
        await fleet(
          {
            flags: { broker: broker.url, ca: broker.ca, cert: reader.cert, key: reader.key, ...flags },
            positionals: [],
          },
          deps,
        ),
      ).toBe(0);
      return out;
    };
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    const active = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;
    const table = await run({});
    expect(table).not.toMatch(active);
    expect(table).toMatch(
      /^device-c\s+online\s+\S+ ago\s+9\.4\\x1b\]0;owned\\x07\s+red\s+new\\x1b\[2J\\x1b\[H -> old\\u202e /m,
    );
    const json = await run({ json: true });
    expect(json).not.toMatch(active);
    const row = (JSON.parse(json) as FleetRow[]).find((r) => r.id === 'device-c');
    expect(row).toMatchObject({ booted: `9.4${title}`, lastRollback: { reason: `${clear}all good\u009b2J` } });
  });
});

describe('queues for offline consumers', () => {
  it('a persistent consumer offline while a device delivers 12 000 QoS 1 events receives all of them', async () => {
    const total = 12_000;
    // A consumer with a certificate of its own: a clean connection with the same identity
    // would end its persistent session (and drop its queue).
    const consumer = await client('hub-consumer', { protocolVersion: 4, clean: false, clientId: 'any-id' });
    const ids = new Set<string>();
    consumer.on('message', (_topic, payload) => ids.add((JSON.parse(payload.toString()) as { id: string }).id));
    await consumer.subscribeAsync('edge/v1/+/events', { qos: 1 });
    await consumer.endAsync();

    const device = await client('device-a');
    const started = Date.now();
    const body = (i: number) =>
      JSON.stringify({
        v: 1,
        id: `evt-${i}`,
        device: 'device-a',
        type: 'check-failed',
        time: new Date().toISOString(),
        body: { check: 'microshift', class: 'required', reason: 'workloads-not-ready', message: 'x'.repeat(200) },
      });
    // The device counts an event delivered once the broker acknowledged it.
    for (let i = 0; i < total; i += 500)
      await Promise.all(
        Array.from({ length: Math.min(500, total - i) }, (_, k) =>
          device.publishAsync('edge/v1/device-a/events', body(i + k), { qos: 1 }),
        ),
      );
    const published = Date.now() - started;

    expect(ids.size).toBe(0);
    consumer.reconnect();
    await eventually(() => ids.size >= total, 60_000, `${total} events at the consumer`).catch((error: Error) => {
      throw new Error(`${error.message} (received ${ids.size})`);
    });
    expect(ids.size).toBe(total);
    expect(published).toBeLessThan(60_000);
  }, 150_000);
});
