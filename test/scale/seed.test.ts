import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ADMIN, createPgDatabase, databases, noteSkippedPostgres, startApp } from '../helpers/app.js';

// `npm run seed` on a few thousand conversations, then the service reads what it wrote: counts,
// the full-text index (written by migration 007's triggers during the seed), filters, a thread.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);
noteSkippedPostgres();

for (const kind of databases()) {
  it(`seeds ${kind} and the service searches it`, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-seed-test-'));
    const pgDb = kind === 'postgres' ? await createPgDatabase() : null;
    try {
      const args = ['--import', 'tsx', 'scripts/seed.ts', '--conversations', '3000', '--db', kind, '--data-dir', dataDir, ...(pgDb ? ['--database-url', pgDb.url] : [])];
      const { stdout, stderr } = await run(process.execPath, args, { cwd: root, env: { ...process.env, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } });
      const result = JSON.parse(stdout) as { tickets: number; conversations: number; events: number };
      assert.equal(result.conversations, 3000);
      assert.equal(result.events, 6000);
      assert.match(stderr, /seed: done/);

      const t = await startApp(kind, {}, { dataDir, pgUrl: pgDb?.url });
      try {
        const db = t.ctx.db.kysely;
        const count = async (table: 'tickets' | 'conversations' | 'events') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
        assert.equal(await count('conversations'), 3000);
        assert.equal(await count('tickets'), result.tickets);
        assert.equal(await count('events'), 6000);

        // A word that only the seeded text holds: the meter number of a meter-reading ticket.
        const meterTicket = await db.selectFrom('tickets').select(['id', 'subject']).where('subject', 'like', 'Z%hlerstand 1ESY%').orderBy('id').executeTakeFirstOrThrow();
        const meter = meterTicket.subject.split(' ')[1]!;
        const byMeter = await t.call('POST', '/api/mind/ticket/search', { q: meter });
        assert.equal(byMeter.statusCode, 200, byMeter.body);
        assert.ok((byMeter.json() as { tickets: { id: number }[] }).tickets.some((x) => x.id === meterTicket.id));

        // Filters and their totals agree with the rows.
        const open = await db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'open').where('channel', '=', 'email').executeTakeFirstOrThrow();
        const search = await t.call('POST', '/api/mind/ticket/search', { filters: [{ key: 't.status', value: 'open' }, { key: 't.channel', value: 'email' }] });
        assert.equal((search.json() as { total: number }).total, Number(open.n));
        assert.ok(Number(open.n) > 0);

        const list = await t.call('GET', `/api/mind/ticket/${meterTicket.id}/conversation`);
        assert.equal(list.statusCode, 200, list.body);
        const conversations = (list.json() as { conversations: { direction: string }[] }).conversations;
        assert.equal(conversations[0]?.direction, 'in');

        const events = await t.call('POST', '/api/mind/event/search', { filters: [{ key: 'e.ticketId', value: meterTicket.id }] });
        assert.equal((events.json() as { total: number }).total, conversations.length * 2);
      } finally {
        await t.close();
      }
    } finally {
      await pgDb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
