// The hub store's schema, one list of versioned migrations for both databases. A migration is
// applied once, in a transaction, and recorded in schema_migrations; never edit an applied one,
// add the next version.
import type { Sql } from './store-sql.js';

export const MIGRATIONS: ReadonlyArray<{ version: number; statements: readonly string[] }> = [
  {
    version: 1,
    statements: [
      `CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        online TEXT,
        online_at BIGINT,
        verdict TEXT NOT NULL DEFAULT 'unknown',
        version TEXT,
        status TEXT,
        status_at BIGINT,
        seen_at BIGINT NOT NULL,
        rollback_at BIGINT,
        events_pruned BIGINT NOT NULL DEFAULT 0
      )`,
      'CREATE INDEX devices_verdict ON devices (verdict, id)',
      'CREATE INDEX devices_version ON devices (version, id)',
      'CREATE INDEX devices_rollback ON devices (rollback_at)',
      // (device, id): a device can only collide with its own event ids, never hide another's.
      `CREATE TABLE events (
        device TEXT NOT NULL,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        time BIGINT NOT NULL,
        received_at BIGINT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (device, id)
      )`,
      'CREATE INDEX events_timeline ON events (device, time, id)',
      'CREATE INDEX events_time ON events (time)',
      `CREATE TABLE rejects (
        received_at BIGINT NOT NULL,
        device TEXT,
        topic TEXT NOT NULL,
        reason TEXT NOT NULL,
        detail TEXT NOT NULL
      )`,
      'CREATE INDEX rejects_time ON rejects (received_at)',
      'CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)',
    ],
  },
  {
    version: 2,
    // The overview groups every device by verdict and online state: from this index alone it
    // does not read the rows (with their status JSON) at all.
    statements: ['CREATE INDEX devices_state ON devices (verdict, online)'],
  },
  {
    version: 3,
    // The readiness level a device last reported (ok, warn, fail; NULL: none sent), so the
    // overview counts devices with readiness warnings without reading their status JSON.
    statements: [
      'ALTER TABLE devices ADD COLUMN readiness TEXT',
      'CREATE INDEX devices_readiness ON devices (readiness)',
    ],
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Apply what is missing; returns the versions applied now. Refuses a database from a newer hub. */
export async function migrate(sql: Sql, now: number): Promise<number[]> {
  await sql.run(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)',
  );
  const applied = new Set(
    (await sql.all<{ version: number }>('SELECT version FROM schema_migrations')).map((row) => Number(row.version)),
  );
  const newest = Math.max(0, ...applied);
  if (newest > SCHEMA_VERSION)
    throw new Error(
      `the database has schema version ${newest}, this hub knows up to ${SCHEMA_VERSION}: upgrade edge-agent-hub`,
    );
  const done: number[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    await sql.transaction(async (tx) => {
      for (const statement of migration.statements) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [migration.version, now]);
    });
    done.push(migration.version);
  }
  return done;
}
