import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, defaultSubchannel } from '../helpers/app.js';
import { jobsOf, jobStatus } from '../helpers/jobs.js';

const HTML = '<div>Hallo,<br>mein Zählerstand ist <b>12.345,6</b> kWh.<br><br>Mit freundlichen Grüßen<br>Max</div><blockquote>Am 1.3. schrieb der Service: alte Nachricht</blockquote>';

describeEachDb('conversation store', (app) => {
  it('stores a message with the contract defaults and answers in the contract shape', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, {
      from: 'Max Muster <max@example.de>', to: ['service@example.de'], subject: 'Zählerstand', body: HTML,
      ccEmails: ['Michael Jackson <michael-test123@jack.s.on.com>', 'Erika Muster erika@example.de'],
    });
    assert.equal(res.statusCode, 200, res.body);
    const b = res.json();
    assert.equal(b.success, true);
    assert.equal(b.ticketId, ticketId);
    assert.equal(typeof b.conversationId, 'number');
    assert.equal(typeof b.eventId, 'number');
    const c = b.conversation;
    assert.equal(c.id, b.conversationId);
    assert.equal(c.direction, 'in');
    assert.equal(c.type, 'html');
    assert.equal(c.private, false);
    assert.equal(c.isDraft, false);
    assert.equal(c.fromEmail, 'max@example.de');
    assert.equal(c.fromEmailName, 'Max Muster');
    assert.deepEqual(c.toEmail, ['service@example.de']);
    assert.deepEqual(c.ccEmails, ['Michael Jackson <michael-test123@jack.s.on.com>', 'Erika Muster <erika@example.de>']);
    assert.match(c.bodyPlain, /Zählerstand ist 12\.345,6 kWh/);
    assert.match(c.bodyPlain, /alte Nachricht/);
    assert.equal(c.bodyClean, 'Hallo,\nmein Zählerstand ist 12.345,6 kWh.');
    assert.deepEqual(c.content, { message: c.bodyClean });
    assert.deepEqual(c.intentIds, []);
    assert.equal(c.cortexRequestId, null);
    assert.equal(typeof c.createdAt, 'number');
    assert.ok(Math.abs(c.createdAt - Date.now() / 1000) < 60);
    assert.equal(c.deletedAt, null);
    assert.deepEqual(c.sender, { id: null, name: 'Max Muster', email: 'max@example.de' });
  });

  it('keeps given bodyPlain/bodyClean/content and accepts process as a query parameter (body wins)', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store?process=realtime`, {
      process: false, body: '<p>x</p>', bodyPlain: 'plain', bodyClean: 'clean', content: { message: 'given' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json().conversation;
    assert.equal(c.bodyPlain, 'plain');
    assert.equal(c.bodyClean, 'clean');
    assert.deepEqual(c.content, { message: 'given' });
    assert.equal(c.cortexRequestId, null);
    assert.deepEqual(await jobsOf(t, { key: `conversation:${c.id}` }), [], 'process=false enqueues nothing');
  });

  it('updates the ticket from status, priority, dueBy and firstResponseDueBy and records TicketUpdated', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, {
      body: 'x', status: 'closed', priority: 'urgent', dueBy: '2030-01-07 00:00:00', firstResponseDueBy: 1893542400,
    });
    assert.equal(res.statusCode, 200, res.body);
    const ticket = (await t.call('GET', `/api/mind/ticket/${ticketId}`)).json();
    assert.equal(ticket.status, 'closed');
    assert.equal(ticket.priority, 'urgent');
    assert.equal(ticket.dueBy, '2030-01-07 00:00:00');
    assert.equal(ticket.firstResponseDueBy, '2030-01-02 00:00:00');
    assert.match(ticket.closedAt, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const ev = (await t.call('POST', '/api/mind/event/search', { filters: [{ key: 'e.ticketId', value: ticketId }, { key: 'e.type', value: 'ticketUpdated' }] })).json();
    assert.equal(ev.events.length, 1);
    assert.deepEqual(ev.events[0].data, { userId: 1, ticketId, changes: { status: 'closed', priority: 'urgent', dueBy: 1893974400, firstResponseDueBy: 1893542400 } });
  });

  it('stores an agent reply with the subchannel mailbox and the agent as sender, and records ConversationCreated', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const sc = await defaultSubchannel(t);
    const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { direction: 'out', body: '<p>Danke!</p>', subchannelId: sc, to: ['kunde@example.de'] });
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json().conversation;
    assert.equal(c.agentId, 1);
    assert.equal(c.sender.id, 1);
    assert.equal(c.sender.email, 'admin@test.local');
    assert.equal(c.fromEmail, 'service@test.local');
    assert.equal(c.fromEmailName, 'Admin');
    const ev = (await t.call('POST', '/api/mind/event/search', { filters: [{ key: 'e.ticketId', value: ticketId }, { key: 'e.type', value: 'conversationCreated' }] })).json();
    assert.equal(ev.events.length, 1);
  });

  it('maps numeric intentIds to intent codes', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { body: 'x', intentIds: [1] });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().conversation.intentIds, ['ai_agent_meter_reading']);
  });

  it('returns the first conversation for a repeated externalConversationId: same id, no second row or event', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const body = { body: 'first', externalConversationId: 'abc-123' };
    const a = (await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, body)).json();
    const b = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { ...body, body: 'second' });
    assert.equal(b.statusCode, 200);
    assert.equal(b.json().conversationId, a.conversationId);
    assert.equal(b.json().eventId, a.eventId);
    assert.equal(b.json().conversation.body, 'first');
    const rows = await t.ctx.db.kysely.selectFrom('conversations').select('id').where('ticket_id', '=', ticketId).where('external_conversation_id', '=', 'abc-123').execute();
    assert.equal(rows.length, 1);
    const events = await t.ctx.db.kysely.selectFrom('events').select('id').where('conversation_id', '=', a.conversationId).where('type', '=', 'conversationStored').execute();
    assert.equal(events.length, 1);
    // Concurrent duplicates are settled by the unique index.
    const many = await Promise.all(Array.from({ length: 5 }, () => t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { body: 'race', externalConversationId: 'race-1' })));
    assert.ok(many.every((r) => r.statusCode === 200));
    assert.equal(new Set(many.map((r) => r.json().conversationId)).size, 1);
  });

  it('answers with the conversation exactly as it reads back from the database', async () => {
    // The store answers from the values it inserted, not from a read-back (insertConversation.ts).
    const t = app();
    const ticketId = await createTicket(t);
    const agentId = (await t.call('GET', '/api/mind/profile')).json().id;
    for (const body of [
      { from: 'Max Muster <max@example.de>', to: ['service@example.de'], ccEmails: ['a@example.de'], subject: 'Zählerstand', body: HTML, externalConversationId: 'rb-1', crmNotificationId: 'crm-9', contractId: 'V-1', customerId: 'K-1', createdAt: 1_700_000_000 },
      { direction: 'out', private: true, type: 'text', body: 'Antwort', agentId, bodyPlain: 'Antwort', bodyClean: 'Antwort' },
    ]) {
      const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { ...body, process: 'false' });
      assert.equal(res.statusCode, 200, res.body);
      const read = await t.call('GET', `/api/mind/ticket/${ticketId}/conversation/${res.json().conversationId}`);
      assert.equal(read.statusCode, 200);
      const stored = res.json().conversation;
      assert.deepEqual(stored, read.json().conversation);
    }
  });

  it('concurrent stores stand alone: one refused inside the transaction leaves the others stored', async () => {
    // On SQLite these share commits (src/db/groupCommit.ts); each must still commit or fail whole.
    const t = app();
    const ticketId = await createTicket(t);
    const url = `/api/mind/ticket/${ticketId}/conversation/store`;
    const bodies = [{ body: 'p-a' }, { body: 'p-b', agentId: 999_999 }, { body: 'p-c' }, { body: 'p-d', subchannelId: 999_999 }, { body: 'p-e' }];
    const res = await Promise.all(bodies.map((b) => t.call('POST', url, { ...b, process: 'false' })));
    assert.deepEqual(res.map((r) => r.statusCode), [200, 422, 200, 422, 200]);
    assert.equal(res[1]!.json().error.field, 'agentId');
    assert.equal(res[3]!.json().error.field, 'subchannelId');
    const rows = await t.ctx.db.kysely.selectFrom('conversations').select(['id', 'body']).where('ticket_id', '=', ticketId).where('body', 'like', 'p-%').orderBy('id').execute();
    // PostgreSQL runs them side by side, so ids need not follow request order.
    const byId = new Map(rows.map((r) => [r.id, r.body]));
    assert.deepEqual([0, 2, 4].map((i) => byId.get(res[i]!.json().conversationId)), ['p-a', 'p-c', 'p-e']);
    assert.equal(rows.length, 3);
    const stored = await t.ctx.db.kysely.selectFrom('events').select('conversation_id').where('ticket_id', '=', ticketId).where('type', '=', 'conversationStored').execute();
    assert.equal(stored.filter((e) => byId.has(e.conversation_id!)).length, 3);
    assert.equal(stored.length, 4); // and the ticket's first message
  });

  it('replays the first response for a repeated Idempotency-Key and refuses the key for another request', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const url = `/api/mind/ticket/${ticketId}/conversation/store`;
    const a = await t.call('POST', url, { body: 'once' }, { 'idempotency-key': 'k-1' });
    const b = await t.call('POST', url, { body: 'once' }, { 'idempotency-key': 'k-1' });
    assert.equal(b.statusCode, 200);
    assert.equal(b.headers['idempotency-replayed'], 'true');
    assert.equal(b.json().conversationId, a.json().conversationId);
    const n = await t.ctx.db.kysely.selectFrom('conversations').select('id').where('ticket_id', '=', ticketId).where('body', '=', 'once').execute();
    assert.equal(n.length, 1);
    const c = await t.call('POST', url, { body: 'other' }, { 'idempotency-key': 'k-1' });
    assert.equal(c.statusCode, 422);
    assert.equal(c.json().error.field, 'Idempotency-Key');
  });

  it('enqueues a durable job with process=batch in the same transaction', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { body: 'x' });
    const id = res.json().conversationId;
    // On PostgreSQL a job the runner has finished is gone (jobStatus reads it as done).
    assert.notEqual(await jobStatus(t, `conversation:${id}`), 'none', 'a job was enqueued');
    for (const job of await jobsOf(t, { key: `conversation:${id}` })) assert.equal(job.task, 'processConversation');
  });
});
