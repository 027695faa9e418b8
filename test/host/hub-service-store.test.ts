// The hub store on both databases (embedded SQLite and a real PostgreSQL), without a broker:
// migrations, de-duplication, retention with what was pruned counted, keyset paging and filters.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyMessage } from '../../agent/core/hub/service/ingest.js';
import { toWireEvent, toWireStatus } from '../../agent/core/hub/payloads.js';
import { createIdGenerator } from '../../agent/hub/event-id.js';
import { HubStore } from '../../agent/hub/store.js';
import { SCHEMA_VERSION } from '../../agent/hub/store-schema.js';
import type { Sql } from '../../agent/hub/store-sql.js';
import { postgresBin, startPostgres, type TestPostgres } from '../harness/hub-service-postgres.js';

const hasSqlite = Number(process.versions.node.split('.')[0]) >= 22;
const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00.000Z');

const stores = [
  { kind: 'sqlite' as const, available: hasSqlite },
  { kind: 'postgres' as const, available: postgresBin() !== undefined },
];

describe.each(stores)('hub store on $kind', ({ kind, available }) => {
  let dir: string;
  let postgres: TestPostgres | undefined;
  let open: () => Promise<Sql>;

  beforeAll(async () => {
    if (!available) return;
    dir = await mkdtemp(join(tmpdir(), 'edge-hub-store-'));
    if (kind === 'postgres') postgres = await startPostgres();
    open = async () =>
      kind === 'sqlite'
        ? (await import('../../agent/hub/store-sqlite.js')).openSqlite(join(dir, 'hub.db'))
        : (await import('../../agent/hub/store-pg.js')).openPostgres(postgres?.url ?? '');
  });

  afterAll(async () => {
    await postgres?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const apply = async (store: HubStore, topic: string, payload: string, now = NOW) =>
    store.apply(classifyMessage('edge/v1', topic, Buffer.from(payload), 16_384), topic, now);

  it.skipIf(!available)(
    'migrates once, keeps events once, prunes by count and age and counts it, pages by cursor',
    async () => {
      let store = await HubStore.open(await open(), NOW);
      const ids = createIdGenerator({ now: () => NOW });
      const event = (device: string, ageDays: number, n: number) =>
        toWireEvent(
          {
            id: ids(),
            type: 'check-failed',
            time: new Date(NOW - ageDays * DAY + n).toISOString(),
            body: { check: `c${n}`, class: 'wanted', reason: 'r' },
          },
          device,
        );
      for (let i = 0; i < 25; i += 1) {
        const device = `dev-${String(i).padStart(2, '0')}`;
        await apply(
          store,
          `edge/v1/${device}/status`,
          JSON.stringify(
            toWireStatus(
              {
                verdict: i % 5 === 0 ? 'red' : 'green',
                booted: { version: i < 10 ? '9.4.1' : '9.4.2', checksum: 'abc' },
                // Readiness: dev-00..02 warn, dev-03 fails, dev-04 is fine, the rest send none.
                ...(i < 5 && { readiness: { level: i < 3 ? 'warn' : i === 3 ? 'fail' : 'ok' } }),
              },
              { device, agent: '1', outbox: { queued: 0, dropped: 0 }, updatedAt: new Date(NOW).toISOString() },
            ),
          ),
        );
      }
      // dev-00: 5 events 400 days old, 30 recent; one recent one delivered twice.
      for (let n = 0; n < 5; n += 1) await apply(store, 'edge/v1/dev-00/events', event('dev-00', 400, n));
      const recent = [];
      for (let n = 0; n < 30; n += 1) recent.push(event('dev-00', 1, n));
      for (const payload of recent) await apply(store, 'edge/v1/dev-00/events', payload);
      expect(await apply(store, 'edge/v1/dev-00/events', recent[7] ?? '')).toBe(false);
      await store.close();

      // Reopened: nothing to migrate again, everything still there.
      store = await HubStore.open(await open(), NOW);
      try {
        const versions = await store.sql.all<{ version: number }>(
          'SELECT version FROM schema_migrations ORDER BY version',
        );
        expect(versions.map((v) => Number(v.version))).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
        expect(await store.timeline('dev-00', 100)).toHaveLength(35);

        expect(await store.prune({ maxEventsPerDevice: 20, maxAgeDays: 180 }, NOW)).toEqual({ byAge: 5, byCount: 10 });
        const kept = await store.timeline('dev-00', 100);
        // The newest 20 remain, newest first.
        expect(kept.map((e) => e.body.check)).toEqual(Array.from({ length: 20 }, (_, i) => `c${29 - i}`));
        expect((await store.device('dev-00'))?.row.eventsPruned).toBe(15);
        expect(await store.prune({ maxEventsPerDevice: 20, maxAgeDays: 180 }, NOW)).toEqual({ byAge: 0, byCount: 0 });
        const overview = await store.overview(NOW);
        expect(overview).toMatchObject({
          devices: 25,
          verdicts: { red: 5, green: 20 },
          pruned: { byAge: 5, byCount: 10 },
          readiness: { warn: 3, fail: 1 },
        });
        expect((await store.counters())['duplicate-events']).toBe(1);

        // Keyset pages: every device once, in id order, whatever the page size.
        const seen: string[] = [];
        let after: string | undefined;
        for (let page = 0; page < 10; page += 1) {
          const result = await store.listDevices({ limit: 7, after }, NOW);
          seen.push(...result.devices.map((d) => d.id));
          if (!result.next) break;
          after = Buffer.from(result.next, 'base64url').toString('utf8');
        }
        expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `dev-${String(i).padStart(2, '0')}`));
        expect(
          (await store.listDevices({ limit: 50, filter: 'red', version: '9.4.2' }, NOW)).devices.map((d) => d.id),
        ).toEqual(['dev-10', 'dev-15', 'dev-20']);
        expect((await store.listDevices({ limit: 50, q: '1_' }, NOW)).devices).toEqual([]);
        expect((await store.listDevices({ limit: 50, q: '-1' }, NOW)).devices).toHaveLength(10);
      } finally {
        await store.close();
      }
    },
  );

  it.skipIf(!available)('refuses a database written by a newer hub', async () => {
    const sql = await open();
    await sql.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [SCHEMA_VERSION + 1, NOW]);
    await expect(HubStore.open(sql, NOW)).rejects.toThrow(
      `the database has schema version ${SCHEMA_VERSION + 1}, this hub knows up to ${SCHEMA_VERSION}: upgrade edge-agent-hub`,
    );
    await sql.close();
  });
});
