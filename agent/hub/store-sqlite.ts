// The embedded store: Node's built-in SQLite (node:sqlite, Node 22.5+). Its API is synchronous,
// which suits the hub: a write is a few microseconds in WAL mode, and the MQTT acknowledgement
// can follow the commit without a queue in between.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { HostError } from '../errors.js';
import type { Sql, SqlValue } from './store-sql.js';

interface Statement {
  run(...params: SqlValue[]): { changes: number | bigint };
  all(...params: SqlValue[]): unknown[];
}
interface Database {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
}
type SqliteModule = { DatabaseSync: new (path: string) => Database };

/**
 * node:sqlite is still flagged experimental on Node 22 and says so once on stderr; that one
 * warning is noise in a service's journal, every other warning still goes through.
 */
function loadSqlite(): SqliteModule {
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type =
      typeof rest[0] === 'string'
        ? rest[0]
        : ((rest[0] as { type?: string } | undefined)?.type ?? (warning as Error).name);
    if (type === 'ExperimentalWarning' && /SQLite/i.test(text)) return;
    (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const mod = getBuiltin?.('node:sqlite') as SqliteModule | undefined;
    if (!mod) throw new Error('no node:sqlite');
    return mod;
  } catch {
    throw new HostError(
      'sqlite-unavailable',
      `the embedded store needs Node.js 22.5 or newer (node:sqlite); this is ${process.version}. Use a newer Node or store.kind postgres`,
    );
  } finally {
    process.emitWarning = original;
  }
}

export function openSqlite(path: string): Sql {
  const { DatabaseSync } = loadSqlite();
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  const db = new DatabaseSync(path);
  // WAL: readers (the dashboard) never wait for the writer. synchronous NORMAL: a commit
  // survives a crash of the process; a power cut may lose the last few commits, which the broker
  // already counts as delivered (FULL would fsync every event and cap ingest far lower).
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;',
  );
  const cache = new Map<string, Statement>();
  const prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
  let depth = 0;
  const sql: Sql = {
    kind: 'sqlite',
    run: async (text, params = []) => ({ changes: Number(prepare(text).run(...params).changes) }),
    all: async <T>(text: string, params: readonly SqlValue[] = []) => prepare(text).all(...params) as T[],
    async transaction(work) {
      // Nested calls join the outer transaction.
      if (depth > 0) return work(sql);
      db.exec('BEGIN IMMEDIATE');
      depth += 1;
      try {
        const result = await work(sql);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      } finally {
        depth -= 1;
      }
    },
    close: async () => db.close(),
  };
  return sql;
}
