// PostgreSQL for fleets that outgrow one host (several hub instances, one database). Statements
// arrive with `?` placeholders and are numbered here; BIGINT columns come back as numbers (epoch
// milliseconds and counts stay far below 2^53).
import pg from 'pg';
import type { Sql, SqlValue } from './store-sql.js';

const INT8_OID = 20;

function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

export function openPostgres(url: string, options: { maxConnections?: number } = {}): Sql {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 4,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its server connection emits here; the pool replaces it.
  pool.on('error', () => undefined);
  const over = (client: pg.Pool | pg.PoolClient): Sql => ({
    kind: 'postgres',
    run: async (text, params = []) => ({
      changes: (await client.query(numbered(text), params as SqlValue[])).rowCount ?? 0,
    }),
    all: async <T>(text: string, params: readonly SqlValue[] = []) =>
      (await client.query(numbered(text), params as SqlValue[])).rows as T[],
    transaction: async (work) => {
      if (client !== pool) return work(over(client));
      const connection = await pool.connect();
      try {
        await connection.query('BEGIN');
        const result = await work(over(connection));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    close: () => pool.end(),
  });
  return over(pool);
}
