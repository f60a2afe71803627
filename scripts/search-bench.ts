// Search cost, measured (README "Search"): what the index triggers add to a conversation insert
// (2 KB, 100 KB and 1 MB bodies, 14 inserts a transaction, with and without the trigger), then
// query times over 20,000 tickets with 3 messages each. `npx tsx scripts/search-bench.ts
// [sqlite|postgres]`; PostgreSQL runs when TEST_DATABASE_URL is set (a scratch database).
// SKIP_INSERTS=1 skips the insert part.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/dialect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createPgDatabase } from '../test/helpers/app.js';
import { fullTextMatches, parseSearchText } from '../src/search/fullText.js';

const words = 'Sehr geehrte Damen und Herren anbei mein Zählerstand vom Januar bitte um Bestätigung der Abschlag ist zu hoch Rechnung Vertrag Kündigung Umzug meter reading please confirm invoice contract'.split(' ');
const text = (n: number, seed: number) => { let s = ''; let i = seed; while (s.length < n) { i = (i * 1103515245 + 12345) % 2147483648; s += words[i % words.length] + (i % 7 === 0 ? ' w' + (i % 50000) : '') + ' '; } return s; };

async function run(kind: 'sqlite' | 'postgres') {
  const pgdb = kind === 'postgres' ? await createPgDatabase() : null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-search-bench-'));
  const db = openDatabase({ kind, sqliteFile: kind === 'sqlite' ? path.join(dir, 'bench.sqlite') : undefined, databaseUrl: pgdb?.url });
  await migrateToLatest(db);
  await db.kysely.insertInto('channels').values({ name: 'email' }).onConflict((o) => o.doNothing()).execute();
  const now = 1700000000;
  const mk = (i: number) => ({ direction: 'in', to_emails: '[]', cc_emails: '[]', bcc_emails: '[]', channel: 'email', status: 'open', priority: 'low', subject: `Betreff ${i}`, body: '', body_plain: '', body_clean: '', ai_support_level: 'human', created_at: now, modified_at: now });
  const conv = (ticket: number, body: string) => ({ ticket_id: ticket, type: 'text', direction: 'in', private: 0, is_draft: 0, sender: '{}', to_emails: '[]', cc_emails: '[]', bcc_emails: '[]', body, body_plain: body, body_clean: body, content: '{}', intent_codes: '[]', process: 'false', created_at: now, modified_at: now });
  const { id: tid } = await db.kysely.insertInto('tickets').values(mk(0)).returning('id').executeTakeFirstOrThrow();
  const timeInserts = async (label: string, size: number, n: number) => {
    const bodies = Array.from({ length: n }, (_, i) => text(size, i + 1));
    const t0 = process.hrtime.bigint();
    // In groups of 14, about what group commit puts in one commit under load (README).
    for (let i = 0; i < bodies.length; i += 14) {
      await db.kysely.transaction().execute(async (trx) => {
        for (const b of bodies.slice(i, i + 14)) await trx.insertInto('conversations').values(conv(tid, b)).execute();
      });
    }
    const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
    console.log(`${kind} ${label}: ${size} chars, ${us.toFixed(0)} µs per insert`);
  };
  // Interleaved, so that neither side gets the warm-up or the bigger table alone.
  const sqliteTrigger = kind === 'sqlite'
    ? (await sql<{ sql: string }>`select sql from sqlite_master where name = 'conversations_fts_insert'`.execute(db.kysely)).rows[0]!.sql
    : '';
  const drop = () => (kind === 'sqlite' ? sql`drop trigger conversations_fts_insert` : sql`drop trigger conversations_search_insert on conversations`).execute(db.kysely);
  const restore = () => (kind === 'sqlite'
    ? sql.raw(sqliteTrigger)
    : sql`create trigger conversations_search_insert after insert on conversations for each row execute function tm_conversation_search_sync()`).execute(db.kysely);
  for (const round of process.env.SKIP_INSERTS ? [] : [1]) {
    for (const [size, n] of [[2000, 1400], [100000, 28], [1000000, 14]] as const) {
      await timeInserts(`round ${round} indexed`, size, n);
      await drop();
      await timeInserts(`round ${round} no index`, size, n);
      await restore();
    }
  }
  // a corpus: 20,000 tickets with 3 messages of ~1 KB each
  for (let b = 0; b < 80; b++) {
    const ts = await db.kysely.insertInto('tickets').values(Array.from({ length: 250 }, (_, i) => mk(b * 250 + i))).returning('id').execute();
    await db.kysely.insertInto('conversations').values(ts.flatMap((t, i) => [1, 2, 3].map((k) => conv(t.id, text(1000, b * 5000 + i * 3 + k))))).execute();
  }
  for (const q of ['Zählerstand', 'w123', 'Zählerstand Rechnung Kündigung', 'w4242 Vertrag', 'meter reading confirm']) {
    const m = fullTextMatches(kind, parseSearchText(q, 'q'));
    const query = db.kysely.selectFrom('tickets as t').innerJoin(m.as('m'), 'm.ticket_id' as never, 't.id').select(['t.id']).orderBy(sql.ref('m.relevance'), 'desc').limit(100);
    await query.execute();
    const t0 = process.hrtime.bigint();
    const rows = await query.execute();
    const count = await db.kysely.selectFrom('tickets as t').innerJoin(m.as('m'), 'm.ticket_id' as never, 't.id').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    console.log(`${kind} query "${q}": ${rows.length} rows of ${count.n}, ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms (top 100 + count, 60k messages)`);
  }
  await db.close();
  await pgdb?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}
const only = process.argv[2];
if (!only || only === 'sqlite') await run('sqlite');
if ((!only && process.env.TEST_DATABASE_URL) || only === 'postgres') await run('postgres');
