import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Block, Row } from './rows.js';

// Bulk writers: a whole block (tickets, messages, tags, intents, events) in one transaction.
// Rows go through the tables' own triggers, so the full-text index (migration 007) is written
// by the same SQL as on the store path, not by a copy of it here.

export interface BlockWriter {
  /** at most this many blocks in flight at once (PostgreSQL: one per connection) */
  parallel: number;
  write(block: Block): Promise<void>;
  close(): Promise<void>;
}

const ORDER: (keyof Block)[] = ['tickets', 'conversations', 'ticketTags', 'intents', 'events'];
const TABLE: Record<keyof Block, string> = { tickets: 'tickets', conversations: 'conversations', ticketTags: 'ticket_tags', intents: 'ticket_intents', events: 'events' };

/**
 * PostgreSQL: one statement per table and block, the rows as one JSON parameter expanded by
 * json_populate_recordset (typed by the table itself): no parameter limit, one parse per statement.
 * Several connections write blocks side by side, so the server's trigger work uses every core.
 */
export function postgresWriter(url: string, parallel: number): BlockWriter {
  const pool = new pg.Pool({ connectionString: url, max: parallel });
  return {
    parallel,
    async write(block) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        for (const key of ORDER) {
          const rows = block[key];
          if (rows.length === 0) continue;
          const cols = Object.keys(rows[0]!).map((c) => `"${c}"`).join(', ');
          await client.query(`insert into ${TABLE[key]} (${cols}) select ${cols} from json_populate_recordset(null::${TABLE[key]}, $1::json)`, [JSON.stringify(rows)]);
        }
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** SQLite: prepared statements per table, a block per transaction, the service's pragmas. */
export function sqliteWriter(file: string): BlockWriter {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  const statements = new Map<string, SQLite.Statement>();
  const insert = (table: string, row: Row) => {
    let s = statements.get(table);
    if (!s) {
      const cols = Object.keys(row);
      s = db.prepare(`insert into ${table} (${cols.map((c) => `"${c}"`).join(', ')}) values (${cols.map((c) => `@${c}`).join(', ')})`);
      statements.set(table, s);
    }
    s.run(row);
  };
  const writeAll = db.transaction((block: Block) => {
    for (const key of ORDER) for (const row of block[key]) insert(TABLE[key], row);
  });
  return {
    parallel: 1,
    async write(block) {
      writeAll(block);
    },
    async close() {
      db.close();
    },
  };
}
