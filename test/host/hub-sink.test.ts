// The MQTT sink against a real Mosquitto running the shipped example config and ACL: retained
// status and online, events with unique ids, nothing lost while the broker is down, drops
// reported when the outbox overflows, and the ACL keeping a device below its own prefix.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeviceStatusSchema, HubEventSchema, type HubEvent } from '../../agent/core/hub/payloads.js';
import {
  connectClient,
  createTestSink,
  eventually,
  startBroker,
  subscribe,
  type Received,
  type Subscriber,
  type TestBroker,
  type TestSink,
} from '../harness/mosquitto.js';

let broker: TestBroker;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker?.cleanup();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function sinkFor(options: Parameters<typeof createTestSink>[1] = {}): Promise<TestSink> {
  const sink = await createTestSink(broker, options);
  cleanups.push(() => sink.close({ timeoutMs: 2000 }));
  return sink;
}

async function subscriber(topics: string[], options: Parameters<typeof subscribe>[2] = {}): Promise<Subscriber> {
  const sub = await subscribe(broker, topics, options);
  cleanups.push(() => sub.close());
  return sub;
}

const events = (messages: Received[]) =>
  messages.filter((m) => m.topic.endsWith('/events')).map((m) => HubEventSchema.parse(JSON.parse(m.payload)));
const n = (event: HubEvent) => Number((event.body as { message?: string }).message);

/** Every copy of an id is byte-identical, and first deliveries come in order. */
function expectAtLeastOnceInOrder(received: Received[], expectedCount: number) {
  const byId = new Map<string, string>();
  const firsts: number[] = [];
  for (const message of received.filter((m) => m.topic.endsWith('/events'))) {
    const event = HubEventSchema.parse(JSON.parse(message.payload));
    const before = byId.get(event.id);
    if (before !== undefined) {
      expect(message.payload).toBe(before);
      continue;
    }
    byId.set(event.id, message.payload);
    firsts.push(n(event));
  }
  expect(firsts).toEqual(Array.from({ length: expectedCount }, (_, i) => i));
}

describe('status and online', () => {
  it('publishes retained online and status; a changed status replaces the retained one', async () => {
    const { sink } = await sinkFor({ as: 'device-a' });
    sink.publishStatus({
      verdict: 'checking',
      booted: { version: '9.4.1', checksum: 'aaaaaaaaaaaa' },
      attempt: { n: 1, max: 3 },
    });
    const first = await subscriber(['edge/v1/device-a/#']);
    await first.until((m) => m.some((x) => x.topic.endsWith('/status')) && m.some((x) => x.topic.endsWith('/online')));
    sink.publishStatus({
      verdict: 'green',
      booted: { version: '9.4.1', checksum: 'aaaaaaaaaaaa' },
      attempt: { n: 1, max: 3 },
    });
    await first.until((m) => m.some((x) => x.topic.endsWith('/status') && x.payload.includes('"green"')));

    // A late subscriber gets only the retained latest state.
    const late = await subscriber(['edge/v1/device-a/#']);
    const messages = await late.until((m) => m.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(messages.every((m) => m.retain)).toBe(true);
    expect(messages.find((m) => m.topic === 'edge/v1/device-a/online')?.payload).toBe('online');
    const statuses = messages.filter((m) => m.topic === 'edge/v1/device-a/status');
    expect(statuses).toHaveLength(1);
    const status = DeviceStatusSchema.parse(JSON.parse(statuses[0]!.payload));
    expect(status).toMatchObject({
      v: 1,
      device: 'device-a',
      agent: '0.0.0-test',
      verdict: 'green',
      outbox: { queued: 0, dropped: 0 },
    });
    expect(statuses[0]!.payload).not.toMatch(/\n|": /);
  });

  it('publishes an unchanged status only once (no heartbeat within heartbeatSec)', async () => {
    const { sink } = await sinkFor({ as: 'device-b' });
    const sub = await subscriber(['edge/v1/device-b/status']);
    sink.publishStatus({ verdict: 'green' });
    await sub.until((m) => m.length >= 1);
    for (let i = 0; i < 5; i += 1) sink.publishStatus({ verdict: 'green' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sub.messages.filter((m) => !m.retain)).toHaveLength(1);
    expect(sink.state().published.statuses).toBe(1);
  });

  it('says offline itself on close (graceful, retained)', async () => {
    const test = await createTestSink(broker, { as: 'device-c' });
    const sub = await subscriber(['edge/v1/device-c/online']);
    await sub.until((m) => m.some((x) => x.payload === 'online'));
    await test.close();
    await sub.until((m) => m[m.length - 1]?.payload === 'offline');
  });
});

describe('events', () => {
  it('delivers each event once per id with a unique time-ordered id', async () => {
    const { sink, outbox } = await sinkFor({ as: 'device-a' });
    const sub = await subscriber(['edge/v1/device-a/events']);
    const ids: string[] = [];
    for (let i = 0; i < 25; i += 1)
      ids.push(
        (
          await sink.report('check-failed', {
            check: 'var-free-space',
            class: 'wanted',
            reason: 'below-threshold',
            message: String(i),
          })
        ).id,
      );
    const received = events(await sub.until((m) => events(m).length >= 25));
    expect(received.map((e) => e.id)).toEqual(ids);
    expect(new Set(ids).size).toBe(25);
    expect([...ids].sort()).toEqual(ids);
    expect(received.every((e) => e.device === 'device-a' && e.v === 1)).toBe(true);
    await eventually(() => outbox.size().events === 0, 5000, 'outbox drained');
  });

  it('refuses a malformed event body before it reaches the outbox', async () => {
    const { sink, outbox } = await sinkFor({ as: 'device-a', start: false });
    // @ts-expect-error: the body misses required fields on purpose
    await expect(sink.report('check-failed', { check: 'x' })).rejects.toThrow(/does not match the hub schema/);
    expect(outbox.size().events).toBe(0);
  });

  it('keeps events in the outbox while the broker is down and delivers all in order when it is back', async () => {
    const { sink, outbox } = await sinkFor({ as: 'device-c' });
    // A persistent session (MQTT 3.1.1, clean: false) so the broker keeps what arrives while this subscriber reconnects.
    const sub = await subscriber(['edge/v1/device-c/events'], {
      mqtt: { protocolVersion: 4, clean: false, clientId: 'broker-down-watcher' },
    });
    await eventually(() => sink.state().connected, 10_000, 'sink connected');
    await sink.report('check-failed', { check: 'c', class: 'wanted', reason: 'r', message: '0' });
    await sub.until((m) => events(m).length >= 1);

    await broker.stop();
    await eventually(() => !sink.state().connected, 10_000, 'sink noticed the broker is gone');
    for (let i = 1; i < 40; i += 1)
      await sink.report('check-failed', { check: 'c', class: 'wanted', reason: 'r', message: String(i) });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(outbox.size().events).toBe(39);

    await broker.start();
    await sub.until((m) => new Set(events(m).map((e) => e.id)).size >= 40, 30_000);
    expectAtLeastOnceInOrder(sub.messages, 40);
    await eventually(() => outbox.size().events === 0, 10_000, 'outbox drained');
    expect(sink.state().connects).toBeGreaterThanOrEqual(2);
    expect(sink.state().lastError).toBeDefined();
  });

  it('reports drops when the outbox overflowed, before the surviving events', async () => {
    const { sink, outbox } = await sinkFor({
      as: 'device-b',
      limits: { maxBytes: 1 << 20, maxEvents: 5 },
      start: false,
    });
    await sink.report('boot-verdict', { verdict: 'red', attempt: { n: 1, max: 3 } });
    for (let i = 0; i < 8; i += 1)
      await sink.report('check-failed', { check: 'c', class: 'wanted', reason: 'r', message: String(i) });
    expect(outbox.dropped()).toEqual({ total: 4, unreported: 4 });
    const sub = await subscriber(['edge/v1/device-b/#']);
    sink.publishStatus({ verdict: 'red' });
    sink.start();
    const received = events(await sub.until((m) => events(m).length >= 6));
    expect(received.map((e) => e.type)).toEqual([
      'events-dropped',
      'boot-verdict',
      'check-failed',
      'check-failed',
      'check-failed',
      'check-failed',
    ]);
    expect(received[0]!.body).toMatchObject({ count: 4, total: 4, byType: { 'check-failed': 4 } });
    expect(received.slice(2).map(n)).toEqual([4, 5, 6, 7]);
    await eventually(() => outbox.dropped().unreported === 0, 5000, 'drop report acked');
    const status = await sub.until((m) =>
      m.some((x) => x.topic.endsWith('/status') && x.payload.includes('"dropped":4')),
    );
    expect(status.length).toBeGreaterThan(0);
  });
});

describe('broker ACL (packaging/mosquitto/edge-agent.acl)', () => {
  it('drops what device A publishes below device B, and the sink keeps the refused event', async () => {
    const sub = await subscriber(['edge/v1/device-b/#']);
    const a = await connectClient(broker, 'device-a');
    cleanups.push(() => a.endAsync(true));
    await expect(
      a.publishAsync('edge/v1/device-b/status', '{"forged":true}', { qos: 1, retain: true }),
    ).rejects.toThrow(/Not authorized/);
    // One connection per certificate (the client id is the CN): the sink below is device-a too.
    await a.endAsync(true);

    // The same through the sink: a device id that is not the certificate CN.
    const { sink, outbox, logs } = await sinkFor({ as: 'device-a', hub: { deviceId: 'device-b' } });
    expect(logs.join('\n')).toMatch(/differs from the client certificate CN device-a/);
    await sink.report('check-failed', { check: 'c', class: 'wanted', reason: 'r', message: 'forged' });
    await eventually(() => /Not authorized/.test(sink.state().lastError ?? ''), 10_000, 'the broker refusing the sink');

    // Control: device B's own publish arrives, so anything forged would have arrived before it.
    const b = await connectClient(broker, 'device-b');
    cleanups.push(() => b.endAsync(true));
    await b.publishAsync('edge/v1/device-b/events', 'control', { qos: 1 });
    await sub.until((m) => m.some((x) => x.payload === 'control'));
    expect(sub.messages.filter((m) => !m.retain).map((m) => m.payload)).toEqual(['control']);
    expect(sub.messages.some((m) => m.payload.includes('forged'))).toBe(false);
    expect(outbox.size().events).toBe(1);
  });

  it('lets the fleet reader read but not write', async () => {
    const reader = await connectClient(broker, 'fleet-reader');
    cleanups.push(() => reader.endAsync(true));
    await expect(reader.publishAsync('edge/v1/device-a/status', '{}', { qos: 1 })).rejects.toThrow(/Not authorized/);
  });
});
