import { it } from 'node:test';
import assert from 'node:assert/strict';
import { databases, startApp } from '../helpers/app.js';
import { pruneFinishedJobs } from '../../src/jobs/queue.js';
import { pruneSettledDeliveries } from '../../src/events/hooks/hookStore.js';

const DAY_MS = 86_400_000;

for (const kind of databases()) {
  it(`retention deletes only settled jobs and deliveries older than the limit [${kind}]`, async () => {
    const t = await startApp(kind, { WORKER_ENABLED: 'false', OUTBOUND_ALLOW_HOSTS: '127.0.0.1' });
    try {
      const db = t.ctx.db.kysely;
      const now = Date.now();
      const job = (status: 'queued' | 'running' | 'done' | 'failed', ageDays: number) => ({
        task: 'noop', payload: '{}', status, attempts: 1, max_attempts: 3, run_at: now, created_at: now - ageDays * DAY_MS, updated_at: now - ageDays * DAY_MS,
      });
      await db.insertInto('jobs').values([job('done', 20), job('failed', 20), job('queued', 20), job('running', 20), job('done', 2)]).execute();
      assert.equal(await pruneFinishedJobs(t.ctx.db, 14, now), 2);
      const left = await db.selectFrom('jobs').select(['status', 'updated_at']).where('task', '=', 'noop').orderBy('id').execute();
      assert.deepEqual(left.map((j) => j.status), ['queued', 'running', 'done'], 'waiting and running jobs stay whatever their age');

      const hook = await t.call('POST', '/api/mind/settings/event-hook', { url: 'http://127.0.0.1:9/hook', eventTypes: ['TicketUpdated'] });
      assert.equal(hook.statusCode, 200, hook.body);
      const hookId = hook.json().id as number;
      const s = Math.floor(now / 1000);
      const delivery = (eventId: number, status: 'pending' | 'delivered' | 'failed' | 'cancelled', ageDays: number) => ({
        hook_id: hookId, event_id: eventId, event_type: 'TicketUpdated', status, attempts: 1, created_at: s - ageDays * 86_400, updated_at: s - ageDays * 86_400,
      });
      const rows = await db.insertInto('hook_deliveries').values([delivery(1, 'delivered', 40), delivery(2, 'failed', 40), delivery(3, 'pending', 40), delivery(4, 'delivered', 5)]).returning('id').execute();
      await db.insertInto('hook_delivery_attempts').values({ delivery_id: rows[0]!.id, hook_id: hookId, attempt: 1, status: 'success', response_code: 200, error: null, duration_ms: 3, started_at: s - 40 * 86_400, finished_at: s - 40 * 86_400, next_retry_at: null }).execute();
      assert.equal(await pruneSettledDeliveries(t.ctx.db, 30, s), 2);
      const kept = await db.selectFrom('hook_deliveries').select('event_id').orderBy('event_id').execute();
      assert.deepEqual(kept.map((d) => d.event_id), [3, 4], 'a delivery still being retried stays');
      const attempts = await db.selectFrom('hook_delivery_attempts').select('id').where('delivery_id', '=', rows[0]!.id).execute();
      assert.equal(attempts.length, 0, 'attempts go with their delivery');
    } finally {
      await t.close();
    }
  });
}
