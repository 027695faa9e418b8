// The hub service against a real Mosquitto (the shipped example config and ACL, TLS client
// certificates) and a real store: the embedded SQLite and a real PostgreSQL. Virtual devices
// publish; the service is stopped while they keep publishing and started again; every event must
// be in its device's timeline exactly once and in order.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubServiceConfigSchema, type HubServiceConfig } from '../../agent/commands/hub/hub-service-config.js';
import { startHubService, type HubService } from '../../agent/commands/hub/service.js';
import { createHostFs } from '../../agent/host/fs.js';
import type { Logger } from '../../agent/host/logger.js';
import { DEVICES, eventually, startBroker, type TestBroker } from '../harness/mosquitto.js';
import { connectDevice, deployment, publishRollback, type VirtualDevice } from '../harness/hub-service-devices.js';
import { postgresBin, startPostgres, type TestPostgres } from '../harness/hub-service-postgres.js';

const hasSqlite =
  typeof (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule === 'function' &&
  Number(process.versions.node.split('.')[0]) >= 22;

function testLogger(lines: string[]): Logger {
  const at = (level: string) => (message: unknown) => void lines.push(`${level}: ${String(message)}`);
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), flush: (cb) => cb?.() };
}

/** Poll an async condition (bounded). */
async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function api<T>(service: HubService, path: string): Promise<T> {
  const response = await fetch(`${service.httpUrl}${path}`);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

interface Timeline {
  events: Array<{ id: string; type: string; summary: string; body: Record<string, unknown> }>;
}

const stores = [
  { kind: 'sqlite' as const, available: hasSqlite, why: 'node:sqlite needs Node 22.5+' },
  { kind: 'postgres' as const, available: postgresBin() !== undefined, why: 'PostgreSQL is not installed' },
];

describe.each(stores)('hub service with the $kind store', ({ kind, available }) => {
  let broker: TestBroker;
  let postgres: TestPostgres | undefined;
  let dir: string;
  let config: HubServiceConfig;
  const logs: string[] = [];
  const devices: VirtualDevice[] = [];

  beforeAll(async () => {
    if (!available) return;
    // Each hub instance needs a certificate of its own: the example broker makes the CN the client
    // id, so two instances on one certificate would end each other's session, and an instance on
    // the certificate of the tests before would resume their session and its subscriptions.
    broker = await startBroker({
      clients: [...DEVICES, 'fleet-reader', 'edge-agent-hub'],
      readers: ['edge-agent-hub-2', 'edge-agent-hub-3'],
    });
    dir = await mkdtemp(join(tmpdir(), 'edge-hub-service-'));
    if (kind === 'postgres') postgres = await startPostgres();
    const client = broker.client('edge-agent-hub');
    config = HubServiceConfigSchema.parse({
      broker: {
        url: broker.url,
        ca: broker.ca,
        cert: client.cert,
        key: client.key,
        clientId: `edge-agent-hub-${kind}`,
      },
      store: kind === 'sqlite' ? { kind, path: join(dir, 'hub.db') } : { kind, url: postgres?.url },
      http: { port: 0 },
    });
    for (const id of DEVICES) devices.push(await connectDevice(broker, id));
  });

  afterAll(async () => {
    for (const device of devices) await device.close().catch(() => undefined);
    await broker?.cleanup();
    await postgres?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!available)(
    'keeps every event once, in order, across a restart of the service; a rollback reads RED x3, ROLLBACK, GREEN',
    async () => {
      const start = () =>
        startHubService(config, { fs: createHostFs('/'), log: testLogger(logs), file: 'test hub.yaml' });
      const [a, b, c] = devices as [VirtualDevice, VirtualDevice, VirtualDevice];
      let service = await start();
      try {
        for (const device of devices) {
          await device.online('online');
          await device.status({ booted: deployment('9.4.1'), verdict: 'green' });
        }
        await publishRollback(a, '9.4.2', '9.4.1');
        await b.event('update-staged', { deployment: deployment('9.4.2') });
        await eventually(() => service.consumer.handled >= 6 + 5 + 1, 15_000, 'the first messages stored');

        // Down: devices keep publishing; the broker holds the events in the service's session.
        await service.close();
        const whileDown = [];
        for (let i = 0; i < 20; i += 1)
          whileDown.push(
            await b.event('check-failed', { check: `disk-${i}`, class: 'wanted', reason: 'below-threshold' }),
          );
        await c.status({ booted: deployment('9.4.2'), verdict: 'red', attempt: { n: 2, max: 3 } });
        service = await start();
        // At-least-once delivery: a device that lost its PUBACK sends the same event again.
        for (const record of whileDown.slice(0, 5)) await b.republish(record);
        await a.republish(a.published[3]!);

        const expectTimeline = async (device: VirtualDevice) => {
          let timeline: Timeline;
          const deadline = Date.now() + 15_000;
          do {
            timeline = await api<Timeline>(service, `/api/v1/devices/${device.id}/timeline`);
            if (timeline.events.length >= device.published.length) break;
            await new Promise((resolve) => setTimeout(resolve, 50));
          } while (Date.now() < deadline);
          // Newest first, each event exactly once.
          expect(timeline.events.map((e) => e.id)).toEqual(device.published.map((e) => e.id).reverse());
          return timeline;
        };
        const timelineA = await expectTimeline(a);
        expect(timelineA.events.map((e) => e.summary.split(',')[0]).reverse()).toEqual([
          'boot RED',
          'boot RED',
          'boot RED',
          'ROLLBACK from 9.4.2 to 9.4.1: boot red 3 times',
          'boot GREEN',
        ]);
        await expectTimeline(b);
        const overview = await api<{
          devices: number;
          verdicts: Record<string, number>;
          online: number;
          rolledBack24h: number;
        }>(service, '/api/v1/overview');
        expect(overview).toMatchObject({
          devices: 3,
          online: 3,
          verdicts: { green: 2, red: 1, checking: 0, unknown: 0 },
        });
        const deviceC = await api<{ device: { verdict: string; version: string } }>(service, `/api/v1/devices/${c.id}`);
        expect(deviceC.device).toMatchObject({ verdict: 'red', version: '9.4.2' });
        // The republished ones were recognised, not stored twice (they may still be in flight).
        const deadline = Date.now() + 15_000;
        let duplicates = 0;
        while (duplicates < 6 && Date.now() < deadline) {
          duplicates = (await service.store.counters())['duplicate-events'] ?? 0;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(duplicates).toBe(6);
        await expectTimeline(b);
      } finally {
        await service.close();
      }
    },
  );

  it.skipIf(!available)('rejects or escapes bad device input, counts it, and keeps running', async () => {
    const service = await startHubService(config, {
      fs: createHostFs('/'),
      log: testLogger(logs),
      file: 'test hub.yaml',
    });
    try {
      const c = devices[2] as VirtualDevice;
      const before = await service.store.counters();
      await c.raw('events', '{"v":1,"id":');
      await c.raw(
        'events',
        JSON.stringify({
          v: 0,
          id: '01J0ZK4N2Q8V3W5X6Y7Z8A9B0C',
          device: c.id,
          type: 'update-staged',
          time: '2026-01-01T00:00:00.000Z',
          body: { deployment: { checksum: 'abc' } },
        }),
      );
      await c.raw(
        'events',
        JSON.stringify({
          v: 1,
          id: 'not-a-ulid',
          device: c.id,
          type: 'update-staged',
          time: '2026-01-01T00:00:00.000Z',
          body: {},
        }),
      );
      await c.raw('events', Buffer.alloc(20_000, 0x61));
      // The broker's ACL stops device-c from publishing under device-a's topic; inside its own
      // topic it can still claim to be device-a in the payload, which the service refuses.
      await c.raw(
        'events',
        JSON.stringify({
          v: 1,
          id: '01J0ZK4N2Q8V3W5X6Y7Z8A9B0D',
          device: 'device-a',
          type: 'update-staged',
          time: '2026-01-01T00:00:00.000Z',
          body: { deployment: { checksum: 'abc' } },
        }),
      );
      const script = '<script>alert(1)</script><img src=x onerror=alert(2)>';
      const marked = await c.event('check-failed', {
        check: 'workload',
        class: 'wanted',
        reason: 'not-ready',
        message: script,
      });
      let after: Record<string, number> = {};
      const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
      await waitFor(async () => {
        after = await service.store.counters();
        return delta('markup-escaped') > 0 && delta('rejected:device-mismatch') > 0;
      }, 'the bad input counted');
      expect({
        notJson: delta('rejected:not-json'),
        version: delta('rejected:bad-version'),
        schema: delta('rejected:bad-schema'),
        oversized: delta('rejected:oversized'),
        mismatch: delta('rejected:device-mismatch'),
        markup: delta('markup-escaped'),
      }).toEqual({ notJson: 1, version: 1, schema: 1, oversized: 1, mismatch: 1, markup: 1 });
      // Stored as sent (the API is JSON), escaped in the dashboard.
      const timeline = await api<Timeline>(service, `/api/v1/devices/${c.id}/timeline?limit=1`);
      expect(timeline.events[0]).toMatchObject({ id: marked.id, body: { message: script } });
      const page = await (await fetch(`${service.httpUrl}/devices/${c.id}`)).text();
      expect(page).not.toContain('<script>');
      expect(page).not.toContain('<img');
      expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
      // Still serving and consuming.
      const last = await c.event('update-staged', { deployment: deployment('9.4.3') });
      await waitFor(
        async () =>
          (await api<Timeline>(service, `/api/v1/devices/${c.id}/timeline?limit=1`)).events[0]?.id === last.id,
        'the service still consumes',
      );
    } finally {
      await service.close();
    }
  });

  it.skipIf(!available)(
    'two instances in one shared-subscription group split the events and store each once',
    async () => {
      const identity = (n: number) => ({
        cert: broker.client(`edge-agent-hub-${n + 1}`).cert,
        key: broker.client(`edge-agent-hub-${n + 1}`).key,
      });
      const start = (n: number) =>
        startHubService(
          {
            ...config,
            broker: {
              ...config.broker,
              ...identity(n),
              clientId: `edge-agent-hub-${kind}-shared-${n}`,
              sharedGroup: `hub-${kind}`,
            },
          },
          { fs: createHostFs('/'), log: testLogger(logs), file: 'test hub.yaml' },
        );
      const first = await start(1);
      const second = await start(2);
      try {
        const b = devices[1] as VirtualDevice;
        const before = b.published.length;
        for (let i = 0; i < 40; i += 1)
          await b.event('check-failed', { check: `shared-${i}`, class: 'wanted', reason: 'r' });
        await waitFor(
          async () =>
            (await api<Timeline>(first, `/api/v1/devices/${b.id}/timeline?limit=2000`)).events.length === before + 40,
          'forty shared events stored',
        );
        const timeline = await api<Timeline>(second, `/api/v1/devices/${b.id}/timeline?limit=2000`);
        expect(timeline.events.map((e) => e.id)).toEqual(b.published.map((e) => e.id).reverse());
        expect(logs.join('\n')).not.toContain('refused');
        // Each took the six retained messages (status and online of three devices) and a share of
        // the forty events, not all of them.
        await waitFor(
          async () => first.consumer.handled + second.consumer.handled === 12 + 40,
          'both instances handled every message',
        );
        expect(Math.min(first.consumer.handled, second.consumer.handled)).toBeGreaterThan(6);
        expect(Math.max(first.consumer.handled, second.consumer.handled)).toBeLessThan(6 + 40);
      } finally {
        await first.close();
        await second.close();
      }
    },
  );
});
