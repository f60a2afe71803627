import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../../src/db/dialect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { statementTemplate } from '../../src/db/statementTemplate.js';
import { createPgDatabase, databases, noteSkippedPostgres } from '../helpers/app.js';

// Templates compile once per database and bind new values on every call; the same template
// serves SQLite and PostgreSQL side by side in one process.
noteSkippedPostgres();

const insertEvent = statementTemplate((db, v: { type: string; ticketId: number | null; data: string; at: number }) =>
  db.insertInto('events').values({ type: v.type, ticket_id: v.ticketId, conversation_id: null, data: v.data, status: 'recorded', created_at: v.at, created_by: null }).returning(['id', 'type', 'ticket_id', 'data', 'status', 'created_at']));

const eventsOfType = statementTemplate((db, v: { type: string; after: number }, kind) =>
  db.selectFrom('events').select(['id', 'data']).where('type', '=', v.type).where('id', '>', v.after).where('conversation_id', 'is', null).orderBy('id')
    // The build may differ by database; here only a comment in the SQL does.
    .modifyEnd(kind === 'postgres' ? sqlComment('pg') : sqlComment('sqlite')));

function sqlComment(text: string) {
  return sql.raw(` /* ${text} */`);
}

test('a template runs with new values on each call, on every database at once', async () => {
  const opened: { db: Db; drop?: () => Promise<void> }[] = [];
  try {
    for (const kind of databases()) {
      const pg = kind === 'postgres' ? await createPgDatabase() : null;
      const db = openDatabase({ kind, databaseUrl: pg?.url });
      opened.push({ db, drop: pg?.drop });
      await migrateToLatest(db);
    }
    for (const { db } of opened) {
      const a = (await insertEvent(db.kysely, { type: 'ticketUpdated', ticketId: null, data: '{"n":1}', at: 100 }))[0]!;
      const b = (await db.kysely.transaction().execute((trx) => insertEvent(trx, { type: 'ticketCreated', ticketId: null, data: '{"n":2}', at: 200 })))[0]!;
      assert.deepEqual({ ...a, id: 0 }, { id: 0, type: 'ticketUpdated', ticket_id: null, data: '{"n":1}', status: 'recorded', created_at: 100 }, db.kind);
      assert.deepEqual({ ...b, id: 0 }, { id: 0, type: 'ticketCreated', ticket_id: null, data: '{"n":2}', status: 'recorded', created_at: 200 }, db.kind);
      assert.ok(b.id > a.id);
      assert.deepEqual(await eventsOfType(db.kysely, { type: 'ticketCreated', after: 0 }), [{ id: b.id, data: '{"n":2}' }], db.kind);
      assert.deepEqual(await eventsOfType(db.kysely, { type: 'ticketUpdated', after: a.id }), [], db.kind);
    }
  } finally {
    for (const { db, drop } of opened) {
      await db.close();
      await drop?.();
    }
  }
});

test('a stand-in that Kysely does not bind as a parameter is refused on first use', async () => {
  const db = openDatabase({ kind: 'sqlite' });
  try {
    await migrateToLatest(db);
    const byColumn = statementTemplate((kdb, v: { column: 'type' }) => kdb.selectFrom('events').select(v.column));
    await assert.rejects(byColumn(db.kysely, { column: 'type' }), /column not bound as plain parameters/);
  } finally {
    await db.close();
  }
});
