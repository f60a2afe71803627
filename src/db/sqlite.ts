import fs from 'node:fs';
import path from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import SQLite from 'better-sqlite3';
import type { Database } from './schema.js';
import type { Db } from './dialect.js';
import { groupCommit } from './groupCommit.js';

// The one SQLite adapter: pragmas, a statement cache (better-sqlite3's public prepare, behind
// Kysely's public SqliteDialect) and group commit. Group commit measured far above the 10% bar
// on the store path (README, "The embedded database"); the background WAL checkpoint thread and
// the precompiled statement templates did not, and were deleted.

export function openSqlite(file: string): Db {
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
  return {
    kysely,
    kind: 'sqlite',
    writeTransaction: groupCommit(kysely),
    close: () => kysely.destroy(),
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

