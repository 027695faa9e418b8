// The hub service's store: device state, the append-only event history, rejects and counters,
// over either SQL adapter. Every write is idempotent (retained messages and QoS 1 events arrive
// again after a reconnect), so a message acknowledged twice is stored once.
import type { Ingest } from '../core/hub/service/ingest.js';
import {
  deviceColumns,
  encodeCursor,
  isoOf,
  summarizeEvent,
  type DevicePage,
  type DeviceQuery,
  type DeviceRow,
  type Overview,
  type TimelineEntry,
} from '../core/hub/service/views.js';
import type { Sql, SqlValue } from './store-sql.js';
import { migrate } from './store-schema.js';

export interface Retention {
  maxEventsPerDevice: number;
  maxAgeDays: number;
}

interface DeviceRecord {
  id: string;
  online: string | null;
  online_at: number | null;
  verdict: string;
  version: string | null;
  status: string | null;
  status_at: number | null;
  seen_at: number;
  rollback_at: number | null;
  events_pruned: number;
}

const DAY = 86_400_000;
const LIST_COLUMNS =
  'id, online, online_at, verdict, version, NULL AS status, status_at, seen_at, rollback_at, events_pruned';
const TOUCH =
  'INSERT INTO devices (id, seen_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at';
const LATER_ROLLBACK =
  'CASE WHEN excluded.rollback_at IS NOT NULL AND (devices.rollback_at IS NULL OR excluded.rollback_at > devices.rollback_at) THEN excluded.rollback_at ELSE devices.rollback_at END';

export class HubStore {
  constructor(readonly sql: Sql) {}

  static async open(sql: Sql, now: number): Promise<HubStore> {
    await migrate(sql, now);
    return new HubStore(sql);
  }

  /** Store one classified message; `topic` is kept for rejects. Returns false for a duplicate event. */
  async apply(message: Ingest, topic: string, now: number): Promise<boolean> {
    const sql = this.sql;
    switch (message.kind) {
      case 'status': {
        const c = deviceColumns(message.status);
        await sql.run(
          `INSERT INTO devices (id, verdict, version, status, status_at, seen_at, rollback_at, readiness) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET verdict = excluded.verdict, version = excluded.version, status = excluded.status, status_at = excluded.status_at, seen_at = excluded.seen_at, rollback_at = ${LATER_ROLLBACK}, readiness = excluded.readiness`,
          [
            message.device,
            c.verdict,
            c.version,
            JSON.stringify(message.status),
            c.statusAt,
            now,
            c.rollbackAt,
            c.readiness,
          ],
        );
        if (message.markup) await this.count('markup-escaped', 1);
        return true;
      }
      case 'status-cleared':
        await sql.run(
          `UPDATE devices SET status = NULL, verdict = 'unknown', version = NULL, readiness = NULL, seen_at = ? WHERE id = ?`,
          [now, message.device],
        );
        return true;
      case 'online':
        await sql.run(
          'INSERT INTO devices (id, online, online_at, seen_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET online = excluded.online, online_at = excluded.online_at, seen_at = excluded.seen_at',
          [message.device, message.online ?? null, now, now],
        );
        return true;
      case 'event':
        return this.addEvent(message, now);
      case 'reject':
        await sql.transaction(async (tx) => {
          await tx.run('INSERT INTO rejects (received_at, device, topic, reason, detail) VALUES (?, ?, ?, ?, ?)', [
            now,
            message.device ?? null,
            topic.slice(0, 300),
            message.reason,
            message.detail.slice(0, 500),
          ]);
          await this.count(`rejected:${message.reason}`, 1, tx);
        });
        return true;
    }
  }

  private async addEvent(message: Extract<Ingest, { kind: 'event' }>, now: number): Promise<boolean> {
    const { event, device } = message;
    const time = Date.parse(event.time);
    return this.sql.transaction(async (tx) => {
      const inserted = await tx.run(
        'INSERT INTO events (device, id, type, time, received_at, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (device, id) DO NOTHING',
        [device, event.id, event.type, time, now, JSON.stringify(event.body)],
      );
      if (inserted.changes === 0) {
        await this.count('duplicate-events', 1, tx);
        return false;
      }
      if (event.type === 'rollback-detected') {
        const at = event.body.at ? Date.parse(event.body.at) : time;
        await tx.run(
          `INSERT INTO devices (id, seen_at, rollback_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at, rollback_at = ${LATER_ROLLBACK}`,
          [device, now, at],
        );
      } else {
        await tx.run(TOUCH, [device, now]);
      }
      if (message.markup) await this.count('markup-escaped', 1, tx);
      return true;
    });
  }

  private async count(name: string, by: number, sql: Sql = this.sql): Promise<void> {
    await sql.run(
      'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value',
      [name, by],
    );
  }

  async counters(): Promise<Record<string, number>> {
    const rows = await this.sql.all<{ name: string; value: number }>('SELECT name, value FROM counters ORDER BY name');
    return Object.fromEntries(rows.map((row) => [row.name, Number(row.value)]));
  }

  /** Drop events beyond the per-device count and older than the age limit; counts what went. */
  async prune(retention: Retention, now: number): Promise<{ byCount: number; byAge: number }> {
    return this.sql.transaction(async (tx) => {
      const cutoff = now - retention.maxAgeDays * DAY;
      const old = await tx.all<{ device: string; n: number }>(
        'SELECT device, count(*) AS n FROM events WHERE time < ? GROUP BY device',
        [cutoff],
      );
      let byAge = 0;
      for (const row of old) {
        await tx.run('UPDATE devices SET events_pruned = events_pruned + ? WHERE id = ?', [Number(row.n), row.device]);
        byAge += Number(row.n);
      }
      if (byAge > 0) await tx.run('DELETE FROM events WHERE time < ?', [cutoff]);
      const over = await tx.all<{ device: string; n: number }>(
        'SELECT device, count(*) AS n FROM events GROUP BY device HAVING count(*) > ?',
        [retention.maxEventsPerDevice],
      );
      let byCount = 0;
      for (const row of over) {
        const excess = Number(row.n) - retention.maxEventsPerDevice;
        const removed = await tx.run(
          'DELETE FROM events WHERE device = ? AND id IN (SELECT id FROM events WHERE device = ? ORDER BY time, id LIMIT ?)',
          [row.device, row.device, excess],
        );
        await tx.run('UPDATE devices SET events_pruned = events_pruned + ? WHERE id = ?', [
          removed.changes,
          row.device,
        ]);
        byCount += removed.changes;
      }
      await tx.run('DELETE FROM rejects WHERE received_at < ?', [cutoff]);
      if (byAge > 0) await this.count('pruned-by-age', byAge, tx);
      if (byCount > 0) await this.count('pruned-by-count', byCount, tx);
      return { byCount, byAge };
    });
  }

  async overview(now: number): Promise<Overview> {
    const groups = await this.sql.all<{ verdict: string; online: string | null; n: number }>(
      'SELECT verdict, online, count(*) AS n FROM devices GROUP BY verdict, online',
    );
    const [rolled] = await this.sql.all<{ n: number }>('SELECT count(*) AS n FROM devices WHERE rollback_at >= ?', [
      now - DAY,
    ]);
    const readiness = await this.sql.all<{ readiness: string; n: number }>(
      "SELECT readiness, count(*) AS n FROM devices WHERE readiness IN ('warn', 'fail') GROUP BY readiness",
    );
    const counters = await this.counters();
    const overview: Overview = {
      devices: 0,
      verdicts: { green: 0, red: 0, checking: 0, unknown: 0 },
      online: 0,
      offline: 0,
      onlineUnknown: 0,
      rolledBack24h: Number(rolled?.n ?? 0),
      rejects: {},
      pruned: { byCount: counters['pruned-by-count'] ?? 0, byAge: counters['pruned-by-age'] ?? 0 },
      readiness: {
        warn: Number(readiness.find((r) => r.readiness === 'warn')?.n ?? 0),
        fail: Number(readiness.find((r) => r.readiness === 'fail')?.n ?? 0),
      },
      generatedAt: new Date(now).toISOString(),
    };
    for (const group of groups) {
      const n = Number(group.n);
      overview.devices += n;
      const verdict = group.verdict in overview.verdicts ? (group.verdict as keyof Overview['verdicts']) : 'unknown';
      overview.verdicts[verdict] += n;
      if (group.online === 'online') overview.online += n;
      else if (group.online === 'offline') overview.offline += n;
      else overview.onlineUnknown += n;
    }
    for (const [name, value] of Object.entries(counters))
      if (name.startsWith('rejected:')) overview.rejects[name.slice(9)] = value;
    if (counters['markup-escaped']) overview.rejects['markup-escaped'] = counters['markup-escaped'];
    return overview;
  }

  async listDevices(query: DeviceQuery, now: number): Promise<DevicePage> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const add = (clause: string, value: SqlValue) => {
      where.push(clause);
      params.push(value);
    };
    if (query.after !== undefined) add('id > ?', query.after);
    if (query.q) add(`id LIKE ? ESCAPE '\\'`, `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (query.version) add('version = ?', query.version);
    if (query.filter === 'offline' || query.filter === 'online') add('online = ?', query.filter);
    else if (query.filter === 'rolled-back') add('rollback_at >= ?', now - DAY);
    else if (query.filter) add('verdict = ?', query.filter);
    params.push(query.limit + 1);
    // Without the status JSON: a page needs only the columns, and 500 statuses are 250 KB.
    const rows = await this.sql.all<DeviceRecord>(
      `SELECT ${LIST_COLUMNS} FROM devices ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`,
      params,
    );
    const page = rows.slice(0, query.limit).map(toDeviceRow);
    const last = page[page.length - 1];
    return rows.length > query.limit && last ? { devices: page, next: encodeCursor(last.id) } : { devices: page };
  }

  async device(id: string): Promise<{ row: DeviceRow; status?: unknown } | undefined> {
    const [record] = await this.sql.all<DeviceRecord>('SELECT * FROM devices WHERE id = ?', [id]);
    if (!record) return undefined;
    return { row: toDeviceRow(record), status: record.status ? JSON.parse(record.status) : undefined };
  }

  /** Newest first; `before` is an event id from the previous page. */
  async timeline(device: string, limit: number, before?: { time: number; id: string }): Promise<TimelineEntry[]> {
    const rows = before
      ? await this.sql.all<EventRecord>(
          'SELECT * FROM events WHERE device = ? AND (time < ? OR (time = ? AND id < ?)) ORDER BY time DESC, id DESC LIMIT ?',
          [device, before.time, before.time, before.id, limit],
        )
      : await this.sql.all<EventRecord>('SELECT * FROM events WHERE device = ? ORDER BY time DESC, id DESC LIMIT ?', [
          device,
          limit,
        ]);
    return rows.map((row) => {
      const body = JSON.parse(row.body) as Record<string, unknown>;
      return {
        id: row.id,
        type: row.type,
        time: isoOf(row.time) ?? '',
        receivedAt: isoOf(row.received_at) ?? '',
        body,
        summary: summarizeEvent(row.type, body),
      };
    });
  }

  close(): Promise<void> {
    return this.sql.close();
  }
}

interface EventRecord {
  device: string;
  id: string;
  type: string;
  time: number;
  received_at: number;
  body: string;
}

function toDeviceRow(r: DeviceRecord): DeviceRow {
  return {
    id: r.id,
    online: r.online === 'online' || r.online === 'offline' ? r.online : 'unknown',
    onlineAt: isoOf(r.online_at),
    verdict: (['green', 'red', 'checking'].includes(r.verdict) ? r.verdict : 'unknown') as DeviceRow['verdict'],
    version: r.version ?? undefined,
    statusAt: isoOf(r.status_at),
    seenAt: isoOf(r.seen_at) ?? '',
    rollbackAt: isoOf(r.rollback_at),
    eventsPruned: Number(r.events_pruned),
  };
}
