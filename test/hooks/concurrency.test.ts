import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { startApp, waitFor, type TestApp } from '../helpers/app.js';
import { recordEvent } from '../../src/events/eventLog.js';
import { HOOK_CURSOR_KEY } from '../../src/db/migrations/002_event_hooks.js';
import { Receiver } from './receiver.js';

const ENV = { OUTBOUND_ALLOW_HOSTS: '127.0.0.1', HOOK_RETRY_BASE_MS: '50', HOOK_RETRY_MAX_MS: '500' };

const ticketUpdated = (n: number) => ({ type: 'ticketUpdated' as const, ticketId: null, data: { userId: 1, changes: { n }, ticketId: n }, createdBy: null });

async function subscribe(t: TestApp, r: Receiver): Promise<number> {
  const res = await t.call('POST', '/api/mind/settings/event-hook', { url: r.url(), eventTypes: ['TicketUpdated'], secret: 'concurrency-secret-1' });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().id as number;
}

const eventIdsReceived = (r: Receiver) => r.received.map((x) => Number(x.headers['x-ticketmind-event-id']));

describeEachDb('event hook dispatch under concurrency', (app, kind) => {
  it('two service processes on one database deliver each event to each hook exactly once', async () => {
    const t = app();
    const other = await startApp(kind, ENV, { dataDir: t.dataDir, ...(kind === 'postgres' ? { pgUrl: t.ctx.config.DATABASE_URL } : {}) });
    const r = await Receiver.start();
    const hookId = await subscribe(t, r);
    try {
      const ids: number[] = [];
      for (let i = 0; i < 30; i++) {
        const db = (i % 2 === 0 ? t : other).ctx.db.kysely;
        ids.push(await recordEvent(db, ticketUpdated(i)));
        // Let the two processes' dispatchers run between bursts, so both take part.
        if (i % 5 === 0) await Promise.all([t, other].map((a) => a.services.hookDispatcher.settled()));
      }
      await waitFor(async () => ids.every((id) => eventIdsReceived(r).includes(id)), 15_000, 'all 30 events');
      // Whatever either process would still send is sent now: exactly-once is checked after it.
      for (const a of [t, other]) await a.services.hookDispatcher.settled();
      await Promise.all([t, other].map((a) => a.services.jobRunner!.drainOnce()));
      assert.deepEqual([...eventIdsReceived(r)].sort((a, b) => a - b), ids, 'each event exactly once');
      const rows = await t.ctx.db.kysely.selectFrom('hook_deliveries').select('event_id').where('hook_id', '=', hookId).execute();
      assert.equal(rows.length, 30);
    } finally {
      await t.call('DELETE', `/api/mind/settings/event-hook/${hookId}`);
      await other.close();
      await r.close();
    }
  });

  it('delivers an event whose transaction commits after a later event (PostgreSQL id gaps)', { skip: kind !== 'postgres' && 'SQLite has one writer: ids commit in order' }, async () => {
    const t = app();
    const r = await Receiver.start();
    const hookId = await subscribe(t, r);
    const db = t.ctx.db.kysely;
    try {
      let release!: () => void;
      let early = 0;
      const held = db.transaction().execute(async (trx) => {
        early = await recordEvent(trx, ticketUpdated(1));
        await new Promise<void>((res) => { release = res; });
      });
      await waitFor(async () => early > 0 && release !== undefined, 5000, 'the held transaction');
      const later = await recordEvent(db, ticketUpdated(2));
      assert.ok(later > early);
      await waitFor(async () => eventIdsReceived(r).includes(later), 5000, 'the later event');
      const cursor = JSON.parse((await db.selectFrom('settings').select('value').where('key', '=', HOOK_CURSOR_KEY).executeTakeFirstOrThrow()).value);
      assert.ok(cursor.high >= later);
      assert.ok(cursor.pending.some(([id]: [number]) => id === early), 'the uncommitted id is remembered as a gap');
      release();
      await held;
      await waitFor(async () => eventIdsReceived(r).includes(early), 5000, 'the early event after its commit');
      assert.equal(eventIdsReceived(r).filter((id) => id === early || id === later).length, 2);
    } finally {
      await t.call('DELETE', `/api/mind/settings/event-hook/${hookId}`);
      await r.close();
    }
  });
}, ENV);
