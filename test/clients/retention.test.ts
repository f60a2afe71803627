import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket } from '../helpers/app.js';
import { eraseExpiredTickets, pruneTechnicalData } from '../../src/tickets/retention.js';
import { nowSeconds } from '../../src/time.js';

// The maintenance passes called directly with a `now` in the future: no waiting for a timer.
describeEachDb('retention', (app) => {
  it('TICKET_RETENTION_DAYS erases closed tickets past it, keeps open and recently closed ones', async () => {
    const t = app();
    const closed = await createTicket(t, { from: 'old@kunde.example' });
    const open = await createTicket(t, { from: 'open@kunde.example' });
    assert.equal((await t.call('PATCH', `/api/mind/ticket/${closed}`, { status: 'closed' })).statusCode, 200);
    assert.equal(await eraseExpiredTickets(t.ctx, nowSeconds() + 86_400), 0, 'closed one day ago, kept for two');
    assert.equal(await eraseExpiredTickets(t.ctx, nowSeconds() + 3 * 86_400), 1);
    assert.equal((await t.call('GET', `/api/mind/ticket/${closed}`)).statusCode, 404);
    assert.equal((await t.call('GET', `/api/mind/ticket/${open}`)).statusCode, 200);
    const ev = await t.ctx.db.kysely.selectFrom('events').select(['data', 'created_by']).where('ticket_id', '=', closed).where('type', '=', 'ticketDeleted').executeTakeFirstOrThrow();
    assert.equal(JSON.parse(ev.data).reason, 'retention');
    assert.equal(ev.created_by, null);
  });

  it('technical data older than 30 days is pruned; business events and AI outcomes stay', async () => {
    const t = app();
    const created = await t.call('POST', '/api/mind/ticket?process=batch', { channel: 'email', body: '<p>Mein Zählerstand ist 4711 kWh.</p>' });
    const ticketId = created.json().id as number;
    await t.services.jobRunner!.drainOnce();
    const types = async () => (await t.ctx.db.kysely.selectFrom('events').select('type').where('ticket_id', '=', ticketId).execute()).map((e) => e.type).sort();
    assert.ok((await types()).includes('conversationStored'));
    await pruneTechnicalData(t.ctx, nowSeconds() + 29 * 86_400);
    assert.ok((await types()).includes('conversationStored'), 'younger than 30 days: kept');
    const pruned = await pruneTechnicalData(t.ctx, nowSeconds() + 31 * 86_400);
    assert.ok(pruned.events >= 1 && pruned.cortexRequests >= 1, JSON.stringify(pruned));
    assert.deepEqual(await types(), ['ticketCreated']);
    const run = await t.ctx.db.kysely.selectFrom('cortex_requests').select(['inputs', 'outputs']).where('ticket_id', '=', ticketId).executeTakeFirstOrThrow();
    assert.equal(run.inputs, '{}');
    assert.ok(run.outputs && JSON.parse(run.outputs).language === 'de', 'the outcome stays');
  });
}, { TICKET_RETENTION_DAYS: '2' });
