import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql, type ColumnDefinitionBuilder } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Database } from './schema.js';
import { startWalCheckpointer, type WalCheckpointer } from './walCheckpointer.js';
import { groupCommit, type WriteTransaction } from './groupCommit.js';

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
  close(): Promise<void>;
  /** SQLite files only: the background checkpointer (walCheckpointer.ts). */
  walCheckpointer?: WalCheckpointer | null;
}

export interface OpenOptions {
  kind: DbKind;
  sqliteFile?: string;
  databaseUrl?: string;
  poolSize?: number;
  onPoolError?: (err: Error) => void;
  /** The background WAL checkpointer of a SQLite file failed; SQLite checkpoints itself again. */
  onCheckpointerError?: (err: Error) => void;
  /** SQLite: queries were held this long while the WAL was caught up (walCheckpointer.ts). */
  onCheckpointCatchUp?: (pausedMs: number) => void;
  /** SQLite: log size (pages) at which writes pause for a catch-up checkpoint; tests lower it. */
  walResetFrames?: number;
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
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, kind: 'postgres', writeTransaction: (fn) => kysely.transaction().execute(fn), close: () => kysely.destroy() };
  }
  const file = opts.sqliteFile ?? ':memory:';
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new SQLite(file);
  // WAL lets readers run beside the single writer; NORMAL sync is durable across process
  // crashes (only an OS crash can lose the last commits), the usual trade-off for WAL.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Savepoint journals (group commit, groupCommit.ts) and temporary sort tables in memory rather
  // than in temporary files: this build's default (TEMP_STORE=1) writes them to disk.
  database.pragma('temp_store = MEMORY');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  // BENCH_AB_*: switches for the bench's A/B of each mechanism (issue 12.2), not configuration.
  const checkpointer = file === ':memory:' || process.env.BENCH_AB_WAL_CHECKPOINTER === 'off' ? null : startWalCheckpointer(database, file, {
    holdWrites: (fn) => kysely.connection().execute(fn),
    onError: (err) => opts.onCheckpointerError?.(err),
    onCatchUp: opts.onCheckpointCatchUp,
    resetFrames: opts.walResetFrames,
  });
  return {
    kysely,
    kind: 'sqlite',
    writeTransaction: process.env.BENCH_AB_GROUP_COMMIT === 'off' ? (fn) => kysely.transaction().execute(fn) : groupCommit(kysely),
    walCheckpointer: checkpointer,
    close: async () => {
      await checkpointer?.stop();
      await kysely.destroy();
    },
  };
}

// Kysely prepares every query anew; preparing is a tenth of the store path's CPU on SQLite.
// Our SQL texts are few (parameters are bound), so prepared statements are kept by text.
function withStatementCache(database: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare: (sqlText: string) => {
      let stmt = cache.get(sqlText);
      if (!stmt) {
        stmt = database.prepare(sqlText);
        // A bound on the cache guards against unbounded distinct texts (IN lists of many lengths).
        if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
        cache.set(sqlText, stmt);
      }
      return stmt;
    },
  };
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
