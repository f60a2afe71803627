import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/dialect.js';
import { createPgDatabase, noteSkippedPostgres } from '../helpers/app.js';

// PostgreSQL runs Kysely's repeated statements as prepared statements (src/db/preparedStatements.ts).
// What must not change: results, errors, and a schema change that alters a prepared statement's
// result columns must not break that statement for good.
noteSkippedPostgres();
const PG = Boolean(process.env.TEST_DATABASE_URL);

test('PostgreSQL: a repeated statement gives the same rows as its first run', { skip: !PG }, async () => {
  const pg = await createPgDatabase();
  const db = openDatabase({ kind: 'postgres', databaseUrl: pg.url, poolSize: 1 });
  try {
    const read = (type: string) => db.kysely.selectFrom('events').select(['id', 'type']).where('type', '=', type).orderBy('id').execute();
    for (const type of ['a', 'b', 'a']) {
      await db.kysely.insertInto('events').values({ type, ticket_id: null, conversation_id: null, data: '{}', status: 'recorded', created_at: 1, created_by: null }).execute();
    }
    const runs = [await read('a'), await read('a'), await read('b'), await read('a')];
    assert.deepEqual(runs.map((r) => r.map((e) => e.type).join()), ['a,a', 'a,a', 'b', 'a,a']);
    // An error in a prepared statement is the statement's own; the connection stays usable.
    const bad = () => db.kysely.insertInto('events').values({ id: runs[0]![0]!.id, type: 'dup', ticket_id: null, conversation_id: null, data: '{}', status: 'recorded', created_at: 1, created_by: null }).execute();
    for (let k = 0; k < 3; k++) await assert.rejects(bad, /duplicate key/);
    assert.equal((await read('a')).length, 2);
  } finally {
    await db.close();
    await pg.drop();
  }
});

test('PostgreSQL: a prepared select * works again after its table gains a column', { skip: !PG }, async () => {
  const pg = await createPgDatabase();
  // One connection, so the statement is prepared on the connection that meets the change.
  const db = openDatabase({ kind: 'postgres', databaseUrl: pg.url, poolSize: 1 });
  const other = openDatabase({ kind: 'postgres', databaseUrl: pg.url, poolSize: 1 });
  try {
    const readAll = () => db.kysely.selectFrom('tags').selectAll().where('id', '>', 0).execute();
    await readAll();
    await readAll(); // now prepared
    // Another process's migration, as in a rolling deploy.
    await sql`alter table tags add column probe_note text`.execute(other.kysely);
    // The prepared plan's result type changed: PostgreSQL refuses it on this connection, at most once.
    await readAll().catch((err: Error) => assert.match(err.message, /cached plan must not change result type/));
    await readAll();
    await readAll();
  } finally {
    await other.close();
    await db.close();
    await pg.drop();
  }
});
