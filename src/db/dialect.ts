import { Kysely, PostgresDialect, sql, type ColumnDefinitionBuilder } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import type { WriteTransaction } from './groupCommit.js';
import { openSqlite } from './sqlite.js';
import { withPreparedStatements } from './preparedStatements.js';

// Every difference between SQLite and PostgreSQL that the rest of the code must not know about
// lives in this module.

export type DbKind = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  kind: DbKind;
  /**
   * A write transaction on the hot path. SQLite: group commit (groupCommit.ts); PostgreSQL:
   * a transaction of its own (the server groups concurrent commits itself).
   */
  writeTransaction: WriteTransaction;
  /** PostgreSQL: the pool under Kysely, shared with graphile-worker (src/jobs/graphileRunner.ts). */
  pgPool?: pg.Pool;
  close(): Promise<void>;
}

export interface OpenOptions {
  kind: DbKind;
  sqliteFile?: string;
  databaseUrl?: string;
  poolSize?: number;
  onPoolError?: (err: Error) => void;
}

// pg returns int8 (COUNT, bigint columns) as strings to avoid precision loss; our bigints are
// timestamps and counters far below 2^53, so numbers are safe and keep both dialects alike.
pg.types.setTypeParser(20, (v) => Number(v));

export function openDatabase(opts: OpenOptions): Db {
  if (opts.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle client whose server connection drops emits 'error' on the pool; without a
    // listener that would crash the process. The pool replaces the client on next use.
    pool.on('error', (err) => opts.onPoolError?.(err));
    // A checked-out client's connection can drop too (graphile-worker holds one for LISTEN).
    pool.on('connect', (client) => client.on('error', (err) => opts.onPoolError?.(err)));
    // Kysely's statements are prepared once per connection (preparedStatements.ts); graphile-worker
    // is given the plain pool.
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: withPreparedStatements(pool) }) });
    return { kysely, kind: 'postgres', pgPool: pool, writeTransaction: (fn) => kysely.transaction().execute(fn), close: () => kysely.destroy() };
  }
  return openSqlite(opts.sqliteFile ?? ':memory:');
}

/** An auto-increment integer primary key. */
export function idColumn(kind: DbKind) {
  return (col: ColumnDefinitionBuilder) =>
    kind === 'postgres' ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement();
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | null;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Case-insensitive LIKE: SQLite's LIKE already ignores ASCII case, PostgreSQL needs ILIKE. */
export function ilike(kind: DbKind): 'like' | 'ilike' {
  return kind === 'postgres' ? 'ilike' : 'like';
}

/** Row lock for claiming queue rows; SQLite has a single writer and needs none. */
export function claimLockSuffix(kind: DbKind) {
  return kind === 'postgres' ? sql` for update skip locked` : sql``;
}

/** Row lock for read-modify-write of one row (the ticket a message updates). */
export function rowLockSuffix(kind: DbKind) {
  return kind === 'postgres' ? sql` for update` : sql``;
}

/** After inserting explicit ids, move PostgreSQL's identity sequence past them (SQLite does this itself). */
export async function syncIdSequence(executor: Kysely<Database>, kind: DbKind, table: string): Promise<void> {
  if (kind !== 'postgres') return;
  await sql`select setval(pg_get_serial_sequence(${table}, 'id'), greatest((select max(id) from ${sql.table(table)}), 1))`.execute(executor);
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db.kysely);
}
