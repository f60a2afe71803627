import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Migrator } from 'kysely';
import { openDatabase, type Db } from '../../src/db/dialect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { coreMigration } from '../../src/db/migrations/001_core.js';
import { eventHooksMigration } from '../../src/db/migrations/002_event_hooks.js';
import { aiMigration } from '../../src/db/migrations/003_ai.js';
import { searchTickets } from '../../src/tickets/searchTickets.js';
import { createPgDatabase, databases } from '../helpers/app.js';
import { postingsDrift } from './postingsDrift.js';

// A database written before migration 007 (tickets and messages, no index) is searchable after it
// (and, on PostgreSQL, has the postings of migration 013).

async function openAt(kind: 'sqlite' | 'postgres'): Promise<{ db: Db; done: () => Promise<void> }> {
  if (kind === 'postgres') {
    const pg = await createPgDatabase({ migrated: false });
    const db = openDatabase({ kind, databaseUrl: pg.url });
    return { db, done: async () => { await db.close(); await pg.drop(); } };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-backfill-'));
  const db = openDatabase({ kind, sqliteFile: path.join(dir, 'db.sqlite') });
  return { db, done: async () => { await db.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

for (const kind of databases()) {
  describe(`search index back-fill [${kind}]`, () => {
    it('migration 007 indexes the tickets and every message that existed before it', async () => {
      const { db, done } = await openAt(kind);
      try {
        const before = new Migrator({
          db: db.kysely,
          provider: { getMigrations: async () => ({ '001_core': coreMigration(kind), '002_event_hooks': eventHooksMigration(kind), '003_ai': aiMigration(kind) }) },
        });
        const { error } = await before.migrateToLatest();
        assert.equal(error, undefined);
        const k = db.kysely;
        await k.insertInto('channels').values({ name: 'email' }).execute();
        const ticket = { direction: 'in', to_emails: '[]', cc_emails: '[]', bcc_emails: '[]', channel: 'email', status: 'open', priority: 'low', body: '', body_plain: '', body_clean: '', ai_support_level: 'human', created_at: 1, modified_at: 1 };
        // spam_status arrives with 007: insert through an untyped builder.
        const insertTicket = (subject: string, summary: string | null) =>
          (k as unknown as typeof k).insertInto('tickets').values({ ...ticket, subject, summary } as never).returning('id').executeTakeFirstOrThrow();
        const a = await insertTicket('Abschlag', null);
        const b = await insertTicket('Umzug', 'Kunde zieht nach Köln');
        const message = (ticketId: number, body: string) => ({ ticket_id: ticketId, type: 'text', direction: 'in', private: 0, is_draft: 0, sender: '{}', to_emails: '[]', cc_emails: '[]', bcc_emails: '[]', body, body_plain: body, body_clean: body, content: '{}', intent_codes: '[]', process: 'false', created_at: 1, modified_at: 1 });
        await k.insertInto('conversations').values([message(a.id, 'erste Nachricht'), message(a.id, 'zweite Nachricht mit Zählerständen')]).execute();

        await migrateToLatest(db);
        // PostgreSQL: migration 013 back-fills the postings the default search order reads.
        if (kind === 'postgres') assert.deepEqual(await postingsDrift(k), { missing: 0, stale: 0 });
        const found = async (q: string) => (await searchTickets(db, { q }, 10_000)).tickets.map((r) => r.id);
        assert.deepEqual(await found('Zählerstand'), [a.id]);
        assert.deepEqual(await found('Abschlag'), [a.id]);
        assert.deepEqual(await found('Köln'), [b.id]);
        // And new writes after the migration are indexed by the triggers.
        await k.insertInto('conversations').values(message(b.id, 'Neue Adresse ab Juni')).execute();
        assert.deepEqual(await found('Adresse Juni'), [b.id]);
        if (kind === 'postgres') assert.deepEqual(await postingsDrift(k), { missing: 0, stale: 0 });
      } finally {
        await done();
      }
    });
  });
}
