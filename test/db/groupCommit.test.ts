import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql, type Transaction } from 'kysely';
import { openDatabase, type Db } from '../../src/db/dialect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Database } from '../../src/db/schema.js';
import { createPgDatabase, databases, noteSkippedPostgres } from '../helpers/app.js';

// db.writeTransaction: on SQLite, the writes queued in one turn of the event loop share one
// commit (groupCommit.ts); on PostgreSQL each is a transaction of its own. Either way each
// caller's unit commits or fails as a whole.
noteSkippedPostgres();

async function withSqliteFile(fn: (db: Db, file: string) => Promise<void>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-group-commit-'));
  const file = path.join(dir, 'ticketmind.db');
  const db = openDatabase({ kind: 'sqlite', sqliteFile: file });
  try {
    await migrateToLatest(db);
    await fn(db, file);
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const insertEvent = async (trx: Transaction<Database>, type: string) =>
  (await trx.insertInto('events').values({ type, ticket_id: null, conversation_id: null, data: '{}', status: 'recorded', created_at: 1, created_by: null }).returning('id').executeTakeFirstOrThrow()).id;

const eventTypes = async (db: Db) => (await db.kysely.selectFrom('events').select('type').orderBy('id').execute()).map((r) => r.type);

test('SQLite: writes queued in one turn share one commit, and none is answered before it', async () => {
  await withSqliteFile(async (db, file) => {
    // A second connection, as another process would have: it sees only committed rows.
    const outside = new SQLite(file, { readonly: true });
    try {
      const committedSeen: number[] = [];
      const units = Array.from({ length: 5 }, (_, i) => db.writeTransaction(async (trx) => {
        committedSeen.push((outside.prepare('select count(*) as n from events').get() as { n: number }).n);
        return insertEvent(trx, `unit-${i}`);
      }));
      const ids = await Promise.all(units);
      // Had each unit committed alone, the later ones would have seen the earlier rows.
      assert.deepEqual(committedSeen, [0, 0, 0, 0, 0]);
      assert.equal(new Set(ids).size, 5);
      assert.equal((outside.prepare('select count(*) as n from events').get() as { n: number }).n, 5);
      assert.deepEqual(await eventTypes(db), ['unit-0', 'unit-1', 'unit-2', 'unit-3', 'unit-4']);
    } finally {
      outside.close();
    }
  });
});

test('SQLite: a failure of the shared transaction fails every unit in it and writes nothing', async () => {
  await withSqliteFile(async (db) => {
    const results = await Promise.allSettled([
      db.writeTransaction((trx) => insertEvent(trx, 'before')),
      // Ends the shared transaction under the others' feet, as an I/O error that makes SQLite
      // roll back would.
      db.writeTransaction(async (trx) => {
        await insertEvent(trx, 'breaker');
        await sql`rollback`.execute(trx);
      }),
      db.writeTransaction((trx) => insertEvent(trx, 'after')),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
    assert.deepEqual(await eventTypes(db), []);
    // The writer is free again afterwards.
    await db.writeTransaction((trx) => insertEvent(trx, 'later'));
    assert.deepEqual(await eventTypes(db), ['later']);
  });
});

test('SQLite: more writes than one group holds are committed in several, in arrival order', async () => {
  await withSqliteFile(async (db) => {
    const ids = await Promise.all(Array.from({ length: 150 }, (_, i) => db.writeTransaction((trx) => insertEvent(trx, `e${i}`))));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.equal((await eventTypes(db)).length, 150);
  });
});

test('a unit that throws is rolled back alone; the others commit (every database)', async () => {
  for (const kind of databases()) {
    const pg = kind === 'postgres' ? await createPgDatabase() : null;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-group-commit-'));
    const db = openDatabase({ kind, sqliteFile: path.join(dir, 'ticketmind.db'), databaseUrl: pg?.url });
    try {
      await migrateToLatest(db);
      const boom = new Error('rule broken after a write');
      const results = await Promise.allSettled([
        db.writeTransaction((trx) => insertEvent(trx, 'first')),
        db.writeTransaction(async (trx) => {
          await insertEvent(trx, 'half-written');
          throw boom;
        }),
        db.writeTransaction((trx) => insertEvent(trx, 'third')),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled'], kind);
      assert.equal((results[1] as PromiseRejectedResult).reason, boom, kind);
      // On PostgreSQL the three are transactions of their own, racing: which commits first is not
      // the question here (the order of ids is not guaranteed), what is written is.
      assert.deepEqual((await eventTypes(db)).sort(), ['first', 'third'], kind);
      // A lone unit that throws: its own error, nothing written.
      await assert.rejects(db.writeTransaction(async (trx) => {
        await insertEvent(trx, 'alone');
        throw boom;
      }), (err) => err === boom);
      assert.deepEqual((await eventTypes(db)).sort(), ['first', 'third'], kind);
    } finally {
      await db.close();
      await pg?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});
