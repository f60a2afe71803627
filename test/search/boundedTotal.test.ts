import { it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, type TestApp } from '../helpers/app.js';

// Ticket search and event search count their matches up to SEARCH_TOTAL_MAX (here 3): past it
// `total` is the cap and `totalIsCapped` is true; at or below it the count is exact. Paging reads
// rows, not the count, so pages past the cap still come back.

type Page = { total: number; totalIsCapped: boolean; offset: number; limit: number };

async function tickets(t: TestApp, body: Record<string, unknown>) {
  const res = await t.call('POST', '/api/mind/ticket/search', body);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Page & { tickets: Array<{ id: number }> };
}

async function events(t: TestApp, body: Record<string, unknown>) {
  const res = await t.call('POST', '/api/mind/event/search', body);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Page & { events: Array<{ id: number }> };
}

const customer = () => `K-${crypto.randomBytes(6).toString('hex')}`;
const byCustomer = (id: string) => [{ key: 't.customerId', value: id, comparator: '=' }];

describeEachDb('bounded totals', (app) => {
  it('ticket search: more matches than the cap answer the cap, flagged; pages past it still come back', async () => {
    const t = app();
    const id = customer();
    const created: number[] = [];
    for (let i = 0; i < 5; i++) created.push(await createTicket(t, { customerId: id, subject: `Ticket ${i}` }));
    const first = await tickets(t, { filters: byCustomer(id), limit: 2, orderByField: 't.id', orderByDirection: 'asc' });
    assert.equal(first.total, 3);
    assert.equal(first.totalIsCapped, true);
    assert.deepEqual(first.tickets.map((r) => r.id), created.slice(0, 2));
    const past = await tickets(t, { filters: byCustomer(id), limit: 10, offset: 3, orderByField: 't.id', orderByDirection: 'asc' });
    assert.deepEqual(past.tickets.map((r) => r.id), created.slice(3));
    assert.equal(past.totalIsCapped, true);
  });

  it('ticket search: as many matches as the cap, or fewer, are counted exactly', async () => {
    const t = app();
    const three = customer();
    for (let i = 0; i < 3; i++) await createTicket(t, { customerId: three });
    assert.deepEqual(await tickets(t, { filters: byCustomer(three) }).then((r) => [r.total, r.totalIsCapped]), [3, false]);
    const one = customer();
    await createTicket(t, { customerId: one });
    assert.deepEqual(await tickets(t, { filters: byCustomer(one) }).then((r) => [r.total, r.totalIsCapped]), [1, false]);
    assert.deepEqual(await tickets(t, { filters: byCustomer(customer()) }).then((r) => [r.total, r.totalIsCapped]), [0, false]);
  });

  it('ticket search with full text: the count of matching tickets is capped the same way', async () => {
    const t = app();
    const word = `qz${crypto.randomBytes(6).toString('hex').replace(/\d/g, 'k')}`;
    for (let i = 0; i < 4; i++) await createTicket(t, { subject: 'Abschlag', body: `<p>Bitte prüfen: ${word}</p>` });
    const r = await tickets(t, { q: word });
    assert.equal(r.tickets.length, 4);
    assert.deepEqual([r.total, r.totalIsCapped], [3, true]);
    // Pages inside the counted window (cap + 1 = 4 ids read once for page and total) and past it
    // (its own page query) give the same tickets in the same order.
    const all = r.tickets.map((x) => x.id);
    for (const [offset, limit] of [[0, 2], [2, 2], [3, 2], [1, 3]] as const) {
      const page = await tickets(t, { q: word, offset, limit });
      assert.deepEqual(page.tickets.map((x) => x.id), all.slice(offset, offset + limit), `offset ${offset}, limit ${limit}`);
      assert.deepEqual([page.total, page.totalIsCapped], [3, true]);
    }
    const ranked = await tickets(t, { q: word, orderByField: 'relevance', limit: 2 });
    assert.equal(ranked.tickets.length, 2);
    assert.ok(ranked.tickets.every((x) => typeof (x as { relevance?: number }).relevance === 'number'));
  });

  it('event search: a ticket with more events than the cap answers the cap, flagged', async () => {
    const t = app();
    const ticketId = await createTicket(t, {});
    for (let i = 0; i < 3; i++) {
      const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store?process=false`, { direction: 'in', from: 'kunde@example.de', body: `<p>Nachricht ${i}</p>` });
      assert.equal(res.statusCode, 200, res.body);
    }
    const filters = [{ key: 'e.ticketId', value: String(ticketId), comparator: '=' }];
    const all = await events(t, { filters, limit: 100 });
    assert.ok(all.events.length > 3, `the ticket has ${all.events.length} events`);
    assert.deepEqual([all.total, all.totalIsCapped], [3, true]);
    const few = await events(t, { filters: [...filters, { key: 'e.type', value: 'ticketCreated', comparator: '=' }] });
    assert.deepEqual([few.total, few.totalIsCapped, few.events.length], [1, false, 1]);
  });
}, { SEARCH_TOTAL_MAX: '3' });
