import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator } from 'kysely';
import { openDatabase } from '../../src/db/dialect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { coreMigration } from '../../src/db/migrations/001_core.js';
import { listJobs } from '../../src/jobs/queue.js';
import { createPgDatabase, databases } from '../helpers/app.js';

// Migration 011 on a PostgreSQL database that ran our own queue: every queued and running job
// moves into graphile-worker with its task, payload, key, run_at and remaining attempts.

if (databases().includes('postgres')) {
  it('migration 011 moves the queued and running jobs of an existing PostgreSQL database into graphile-worker [postgres]', async () => {
    const pg = await createPgDatabase({ migrated: false });
    const db = openDatabase({ kind: 'postgres', databaseUrl: pg.url });
    try {
      const before = new Migrator({ db: db.kysely, provider: { getMigrations: async () => ({ '001_core': coreMigration('postgres') }) } });
      assert.equal((await before.migrateToLatest()).error, undefined);
      const now = Date.now();
      const later = now + 3_600_000;
      const row = (task: string, payload: unknown, job_key: string | null, status: 'queued' | 'running' | 'done' | 'failed', attempts: number, max_attempts: number, run_at: number) =>
        ({ task, payload: JSON.stringify(payload), job_key, status, attempts, max_attempts, run_at, locked_until: status === 'running' ? now + 30_000 : null, locked_by: status === 'running' ? 'w-dead' : null, created_at: now - 1000, updated_at: now - 1000 });
      await db.kysely.insertInto('jobs').values([
        row('processConversation', { conversationId: 1, ticketId: 7 }, 'conversation:1', 'queued', 0, 5, later),
        row('processConversation', { conversationId: 2, ticketId: 7 }, 'conversation:2', 'running', 2, 5, now - 10),
        row('sendReply', { conversationId: 3, ticketId: 7 }, null, 'queued', 1, 4, now),
        row('processConversation', { conversationId: 4, ticketId: 7 }, 'conversation:4', 'done', 1, 5, now - 10),
        row('processConversation', { conversationId: 5, ticketId: 7 }, 'conversation:5', 'failed', 5, 5, now - 10),
      ]).execute();

      await migrateToLatest(db);

      const moved = await listJobs(db, {});
      assert.deepEqual(moved.map((j) => [j.task, j.job_key?.replace(/:m\d+$/, ':m'), j.status, j.attempts, j.max_attempts]), [
        ['processConversation', 'conversation:1', 'queued', 0, 5],
        // The interrupted attempt of the running job counts, as a restart on SQLite counts it.
        ['processConversation', 'conversation:2', 'queued', 2, 5],
        // Keyless reply jobs get a key naming their ticket (erasure finds them by it).
        ['sendReply', 'reply:7:3:m', 'queued', 1, 4],
      ]);
      assert.equal(Math.abs(moved[0]!.run_at - later) < 1000, true, 'run_at kept');
      const left = await db.kysely.selectFrom('jobs').select(['job_key', 'status']).orderBy('id').execute();
      assert.deepEqual(left, [{ job_key: 'conversation:4', status: 'done' }, { job_key: 'conversation:5', status: 'failed' }], 'history stays until pruned');
      // Running it again (another process starting) moves nothing twice.
      await migrateToLatest(db);
      assert.equal((await listJobs(db, {})).length, 3);
    } finally {
      await db.close();
      await pg.drop();
    }
  });
}
