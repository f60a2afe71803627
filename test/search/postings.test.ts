import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, type TestApp } from '../helpers/app.js';
import { postingsDrift } from './postingsDrift.js';

// PostgreSQL's search_postings (migration 013) must hold exactly the words of each ticket's
// vectors, whoever wrote them: a missing posting hides a ticket from search, a stale one finds a
// ticket by a word it no longer holds (after an erasure, a word that should be gone).

async function store(t: TestApp, ticketId: number, body: string): Promise<number> {
  const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store?process=false`, { direction: 'in', from: 'kunde@example.de', body });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().conversation.id as number;
}

async function ids(t: TestApp, q: string): Promise<number[]> {
  const res = await t.call('POST', '/api/mind/ticket/search', { q });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().tickets as Array<{ id: number }>).map((r) => r.id);
}

describeEachDb('search postings', (app, kind) => {
  if (kind !== 'postgres') return;

  it('hold exactly the words of the vectors after stores, edits, a move, deletions and an erasure', async () => {
    const t = app();
    const k = t.ctx.db.kysely;
    const same = async (step: string) => assert.deepEqual(await postingsDrift(k), { missing: 0, stale: 0 }, step);

    const a = await createTicket(t, { subject: 'Zählerstand Umzug', body: '<p>postalpha postbeta</p>' });
    const b = await createTicket(t, { subject: 'Rechnung', body: '<p>postgamma</p>' });
    const moved = await store(t, a, '<p>postbeta postdelta</p>');
    await store(t, a, '<p>postepsilon postbeta</p>');
    await same('after stores');

    // A word two messages hold stays when one of them no longer does.
    await k.updateTable('conversations').set({ body_plain: 'posteta' }).where('id', '=', moved).execute();
    await same('after an edit');
    assert.deepEqual(await ids(t, 'postbeta'), [a]);
    assert.deepEqual(await ids(t, 'postdelta'), []);

    await k.updateTable('tickets').set({ summary: 'Kunde postzeta' }).where('id', '=', a).execute();
    await k.updateTable('conversations').set({ ticket_id: b }).where('id', '=', moved).execute();
    await same('after a summary and a move');
    assert.deepEqual(await ids(t, 'posteta'), [b]);

    await k.updateTable('conversations').set({ deleted_at: 1 }).where('ticket_id', '=', a).where('body_plain', 'like', '%postepsilon%').execute();
    await same('after a soft delete');
    assert.deepEqual(await ids(t, 'postepsilon'), []);

    const erased = await t.call('DELETE', `/api/mind/ticket/${a}`);
    assert.equal(erased.statusCode, 200, erased.body);
    await same('after an erasure');
    assert.equal(Number((await sql<{ n: string }>`select count(*) as n from search_postings where ticket_id = ${a}`.execute(k)).rows[0]!.n), 0);
    assert.deepEqual(await ids(t, 'postzeta'), []);
    assert.deepEqual(await ids(t, 'postgamma'), [b]);
  });
});
