import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, defaultSubchannel } from '../helpers/app.js';

describeEachDb('tickets', (app) => {
  it('create answers with the bare ticket and stores the first message', async () => {
    const t = app();
    const res = await t.call('POST', '/api/mind/ticket?process=batch', {
      channel: 'email', from: 'Kunde <kunde@example.de>', cc: ['cc@example.de'], subject: 'Umzug', body: '<p>Ich ziehe um.</p>', priority: 'high',
      createdAt: '2024-03-01 10:00:00', dueBy: '2030-01-01T00:00:00Z', externalTicketId: 'crm-1', rawData: { a: 1 },
    });
    assert.equal(res.statusCode, 200, res.body);
    const tk = res.json();
    assert.equal(typeof tk.id, 'number');
    assert.equal(tk.success, undefined, 'no envelope');
    assert.equal(tk.channel, 'email');
    assert.equal(tk.status, 'open');
    assert.equal(tk.priority, 'high');
    assert.equal(tk.from, 'kunde@example.de');
    assert.deepEqual(tk.ccEmails, ['cc@example.de']);
    assert.equal(tk.createdAt, '2024-03-01 10:00:00');
    assert.equal(tk.dueBy, '2030-01-01 00:00:00');
    assert.equal(tk.aiSupportLevel, 'unprocessed');
    assert.equal(tk.bodyPlain, 'Ich ziehe um.');
    assert.equal(typeof tk.subchannelId, 'number', 'the channel default subchannel');
    const convs = (await t.call('GET', `/api/mind/ticket/${tk.id}/conversation`)).json().conversations;
    assert.equal(convs.length, 1);
    assert.equal(convs[0].body, '<p>Ich ziehe um.</p>');
    const withRaw = (await t.call('GET', `/api/mind/ticket/${tk.id}?includeRawData=true&erpCacheOnly=true`)).json();
    assert.deepEqual(withRaw.rawData, { a: 1 });
    assert.equal(withRaw.externalTicketId, 'crm-1');
  });

  it('externalTicketId dedupes, also under concurrent creates, and updates the existing ticket', async () => {
    const t = app();
    const body = { channel: 'email', body: 'x', externalTicketId: 'crm-race' };
    const all = await Promise.all(Array.from({ length: 6 }, () => t.call('POST', '/api/mind/ticket', body)));
    assert.ok(all.every((r) => r.statusCode === 200), all.map((r) => r.body).join('\n'));
    assert.equal(new Set(all.map((r) => r.json().id)).size, 1);
    const again = await t.call('POST', '/api/mind/ticket', { ...body, priority: 'urgent' });
    assert.equal(again.json().id, all[0]!.json().id);
    assert.equal(again.json().priority, 'urgent');
    const convs = (await t.call('GET', `/api/mind/ticket/${again.json().id}/conversation`)).json().conversations;
    assert.equal(convs.length, 1, 'the message is not stored twice');
  });

  it('create refuses an unknown channel (400) and a subchannel of another channel (422)', async () => {
    const t = app();
    assert.equal((await t.call('POST', '/api/mind/ticket', { channel: 'fax', body: 'x' })).statusCode, 400);
    const chatSc = await defaultSubchannel(t, 'chat');
    const res = await t.call('POST', '/api/mind/ticket', { channel: 'email', body: 'x', subchannelId: chatSc });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().error.field, 'subchannelId');
  });

  it('patch updates fields, tags, and refuses pending without a future dueBy', async () => {
    const t = app();
    const id = await createTicket(t);
    const tag = (await t.call('POST', '/api/mind/tag', { name: 'vip' })).json().id;
    const res = await t.call('PATCH', `/api/mind/ticket/${id}`, { contractId: '376189', priority: 'medium', dueBy: 1609502400, tagIds: [tag], workedOnBy: null });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().ticket.contractId, '376189');
    assert.deepEqual(res.json().ticket.tagIds, [tag]);
    assert.equal(res.json().ticket.dueBy, '2021-01-01 12:00:00');
    const pending = await t.call('PATCH', `/api/mind/ticket/${id}`, { status: 'pending' });
    assert.equal(pending.statusCode, 422);
    const ok = await t.call('PATCH', `/api/mind/ticket/${id}`, { status: 'pending', dueBy: '2099-01-01 00:00:00' });
    assert.equal(ok.json().ticket.status, 'pending');
    const alias = await t.call('PATCH', `/api/mind/ticket/${id}`, { status: 'resolved' });
    assert.equal(alias.json().ticket.status, 'closed');
    assert.equal((await t.call('PATCH', `/api/mind/ticket/${id}`, { tagIds: [424242] })).statusCode, 422);
    const ev = (await t.call('POST', '/api/mind/event/search', { filters: [{ key: 'e.ticketId', value: id }, { key: 'e.type', value: 'ticketUpdated' }] })).json().events;
    assert.ok(ev.some((e: { data: { changes: { status?: string } } }) => e.data.changes.status === 'closed'));
    assert.ok(ev.every((e: { data: { userId: number; ticketId: number } }) => e.data.userId === 1 && e.data.ticketId === id));
  });

  it('bulk patch is all or nothing and names the failing entry', async () => {
    const t = app();
    const a = await createTicket(t);
    const b = await createTicket(t);
    const bad = await t.call('PATCH', '/api/mind/ticket', [{ id: a, status: 'closed' }, { id: 999999, status: 'closed' }]);
    assert.equal(bad.statusCode, 404);
    assert.equal(bad.json().error.field, '[1].id');
    assert.equal((await t.call('GET', `/api/mind/ticket/${a}`)).json().status, 'open', 'rolled back');
    const ok = await t.call('PATCH', '/api/mind/ticket', [{ id: a, status: 'closed' }, { id: b, status: 'closed' }]);
    assert.equal(ok.statusCode, 200);
    assert.equal((await t.call('GET', `/api/mind/ticket/${b}`)).json().status, 'closed');
  });

  it('search filters, free text, order and paging', async () => {
    const t = app();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createTicket(t, { channel: i % 2 ? 'chat' : 'letter', subject: `Suchtest ${i} Stromzähler`, customerId: `cust-${i}` }));
    const search = (body: object) => t.call('POST', '/api/mind/ticket/search', body);
    const byChannel = (await search({ filters: [{ key: 't.channel', comparator: 'in', values: ['letter'] }, { key: 't.id', comparator: 'in', values: ids }] })).json();
    assert.equal(byChannel.total, 3);
    assert.ok(byChannel.tickets.every((x: { channel: string; body?: string }) => x.channel === 'letter' && x.body === undefined));
    const q = (await search({ q: 'stromzähler', filters: [{ key: 't.id', comparator: 'in', values: ids }], limit: 2, offset: 0, orderByField: 't.id', orderByDirection: 'asc' })).json();
    assert.equal(q.total, 5);
    assert.deepEqual(q.tickets.map((x: { id: number }) => x.id), ids.slice(0, 2));
    const page2 = (await search({ q: 'Stromzähler', filters: [{ key: 't.id', comparator: 'in', values: ids }], limit: 2, offset: 2, orderByField: 't.id', orderByDirection: 'asc' })).json();
    assert.deepEqual(page2.tickets.map((x: { id: number }) => x.id), ids.slice(2, 4));
    const between = (await search({ filters: [{ key: 't.createdAt', comparator: 'between', from: 0, to: '2100-01-01 00:00:00' }, { key: 't.customerId', comparator: 'notIn', values: ['cust-0'] }, { key: 't.id', comparator: 'in', values: ids }] })).json();
    assert.equal(between.total, 4);
    const all = (await search({ filters: [{ key: 't.channel', comparator: 'in', values: ['all'] }, { key: 't.id', values: ids }] })).json();
    assert.equal(all.total, 5);
    for (const [body, field] of [
      [{ filters: [{ key: 't.nope', value: 1 }] }, 'filters[0].key'],
      [{ filters: [{ key: 't.status', comparator: '~', value: 1 }] }, 'filters[0].comparator'],
      [{ orderByField: 't.body' }, 'orderByField'],
    ] as const) {
      const r = await search(body);
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().error.field, field);
    }
    // Enneo caps the limit at 500 rather than refusing more (its tooling: "default 100, capped at 500").
    assert.equal((await search({ limit: 501 })).json().limit, 500);
    assert.equal((await search({ limit: 0 })).statusCode, 400);
  });

  it('intents by ticket answers in Enneo shape', async () => {
    const t = app();
    const id = await createTicket(t);
    const res = (await t.call('GET', `/api/mind/intent/byTicketId/${id}`)).json();
    assert.equal(res.ticketId, id);
    assert.equal(typeof res.intentsFound, 'number');
    assert.equal(typeof res.aiOutcome, 'string');
    assert.ok(Array.isArray(res.intents));
  });
});
