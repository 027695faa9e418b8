// The little SQL the hub store needs, over either database: statements are written once with `?`
// placeholders in the dialect both SQLite and PostgreSQL accept (ON CONFLICT upserts, BIGINT
// epoch milliseconds, TEXT JSON), and each adapter runs them its own way.
export type SqlValue = string | number | null;

export interface Sql {
  readonly kind: 'sqlite' | 'postgres';
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Run `work` in one transaction: all of it is stored or none of it. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
