import { it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describeEachDb } from '../helpers/suite.js';
import { blobCount, type TestApp } from '../helpers/app.js';
import { createProfile } from '../../src/agents/profiles.js';
import { mintApiKey } from '../../src/auth/apiKeys.js';
import { Receiver } from '../hooks/receiver.js';
import { blobsHolding, rowsHolding } from './schema.js';

// GDPR erasure through the API on both databases: afterwards no text column of any table and no
// blob file holds the customer's address; what another ticket shares stays.

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

async function drain(t: TestApp): Promise<void> {
  await t.services.hookDispatcher.settled();
  await t.services.jobRunner!.drainOnce();
}

async function agentKey(t: TestApp): Promise<string> {
  const id = await createProfile(t.ctx.db, { email: `agent-${crypto.randomBytes(3).toString('hex')}@test.local`, name: 'A', password: 'agent-password-1' });
  return (await mintApiKey(t.ctx.db.kysely, { agentId: id, name: 'a', ttlDays: 1, secret: t.ctx.secrets.apiKey })).token;
}

describeEachDb('GDPR erasure', (app) => {
  it('DELETE /ticket/{id}: every row and blob holding the customer is gone; a shared blob and other tickets stay', async () => {
    const t = app();
    const addr = `erase-${crypto.randomBytes(4).toString('hex')}@kunde.example`;
    const shared = `shared terms and conditions ${crypto.randomBytes(4).toString('hex')}`;
    const receiver = await Receiver.start();
    const hook = await t.call('POST', '/api/mind/settings/event-hook', { url: receiver.url(), eventTypes: ['TicketCreated', 'ConversationStored', 'TicketUpdated', 'TicketResponse', 'AttachmentExtracted'], secret: 'erasure-secret-123' });
    try {
      assert.equal(hook.statusCode, 200, hook.body);
      const created = await t.call('POST', '/api/mind/ticket?process=realtime', {
        channel: 'email', from: addr, fromName: 'Erika Muster', subject: `Zählerstand von ${addr}`,
        body: `<p>Mein Zählerstand ist 12.345,6 kWh. IBAN DE89 3704 0044 0532 0130 00. Antwort an ${addr}</p>`,
        customerId: 'K-4711', rawData: { email: addr },
        attachments: [{ name: 'brief.txt', base64: b64(`Absender: ${addr}`) }, { name: 'agb.txt', base64: b64(shared) }],
      }, { 'idempotency-key': `create-${addr}` });
      assert.equal(created.statusCode, 200, created.body);
      const ticketId = created.json().id as number;
      const reply = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'realtime', direction: 'in', from: addr, body: `Noch eine Frage von ${addr}` }, { 'idempotency-key': `store-${addr}` });
      assert.equal(reply.statusCode, 200, reply.body);
      assert.equal((await t.call('PATCH', `/api/mind/ticket/${ticketId}`, { customerId: addr }, { 'idempotency-key': `patch-${addr}` })).statusCode, 200);
      const other = await t.call('POST', '/api/mind/ticket?process=false', { channel: 'email', from: 'other@kunde.example', body: '<p>Hallo</p>', attachments: [{ name: 'agb.txt', base64: b64(shared) }] });
      const otherId = other.json().id as number;
      const otherAttachment = other.json().attachments[0].id as number;
      await drain(t);

      // The scan does find the customer before the erasure, in the tables that hold them.
      const before = await rowsHolding(t, addr);
      for (const col of ['tickets.from_email', 'conversations.body', 'cortex_requests.inputs', 'events.data', 'idempotency_keys.response']) assert.ok(before.includes(col), `${col} in ${before.join(', ')}`);
      assert.equal(blobsHolding(t, addr).length, 1);
      const deliveries = await t.ctx.db.kysely.selectFrom('hook_deliveries').select('id').execute();
      assert.ok(deliveries.length > 0, 'the hook got deliveries of the ticket');

      const forbidden = await t.app.inject({ method: 'DELETE', url: `/api/mind/ticket/${ticketId}`, headers: { authorization: `Bearer ${await agentKey(t)}` } });
      assert.equal(forbidden.statusCode, 403, 'admins only');

      const blobsBefore = blobCount(t);
      const res = await t.call('DELETE', `/api/mind/ticket/${ticketId}`);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.success, true);
      assert.equal(body.deleted.tickets, 1);
      assert.equal(body.deleted.conversations, 2);
      assert.equal(body.deleted.attachments, 2);
      assert.ok(body.deleted.cortex_requests >= 1 && body.deleted.hook_deliveries >= 1 && body.deleted.events >= 2, JSON.stringify(body.deleted));
      // SQLite keeps finished jobs until pruned, and erasure deletes them; graphile-worker has deleted them already.
      if (t.kind === 'sqlite') assert.ok(body.deleted.jobs >= 2, JSON.stringify(body.deleted));
      assert.equal(body.blobsRemoved, 1, 'the shared file stays');
      assert.equal(blobCount(t), blobsBefore - 1);

      assert.deepEqual(await rowsHolding(t, addr), [], 'no text column of any table holds the address');
      assert.deepEqual(await rowsHolding(t, 'K-4711'), []);
      assert.deepEqual(blobsHolding(t, addr), [], 'no blob holds it');
      assert.equal((await t.call('GET', `/api/mind/ticket/${ticketId}`)).statusCode, 404);
      assert.equal((await t.call('DELETE', `/api/mind/ticket/${ticketId}`)).statusCode, 404);

      const deletedEvent = await t.ctx.db.kysely.selectFrom('events').selectAll().where('id', '=', body.eventId).executeTakeFirstOrThrow();
      assert.equal(deletedEvent.type, 'ticketDeleted');
      assert.deepEqual(Object.keys(JSON.parse(deletedEvent.data)).sort(), ['deleted', 'reason', 'ticketId', 'userId']);
      const left = await t.ctx.db.kysely.selectFrom('events').select('type').where('ticket_id', '=', ticketId).execute();
      assert.deepEqual(left.map((e) => e.type), ['ticketDeleted'], 'only the deletion is left of the ticket');

      const shot = await t.call('GET', `/api/mind/ticket/${otherId}/attachment/${otherAttachment}`);
      assert.equal(shot.statusCode, 200);
      assert.equal(shot.body, shared, 'the other ticket keeps the shared bytes');
      assert.equal((await t.call('GET', `/api/mind/ticket/${otherId}`)).json().from, 'other@kunde.example');
    } finally {
      if (hook.statusCode === 200) await t.call('DELETE', `/api/mind/settings/event-hook/${hook.json().id}`);
      await receiver.close();
    }
  });

  it('DELETE /ticket/{id}/attachment/{id}: the row, its extraction event and its bytes go; admin only', async () => {
    const t = app();
    const secret = `secret-photo-${crypto.randomBytes(4).toString('hex')}`;
    const created = await t.call('POST', '/api/mind/ticket?process=realtime', { channel: 'email', body: '<p>Anbei</p>', attachments: [{ name: 'a.txt', base64: b64(secret) }, { name: 'b.txt', base64: b64(`${secret}-b`) }] });
    const ticketId = created.json().id as number;
    const [a, b] = created.json().attachments as Array<{ id: number }>;
    const agent = await t.app.inject({ method: 'DELETE', url: `/api/mind/ticket/${ticketId}/attachment/${a!.id}`, headers: { authorization: `Bearer ${await agentKey(t)}` } });
    assert.equal(agent.statusCode, 403);
    assert.equal((await t.call('DELETE', `/api/mind/ticket/${ticketId + 1000}/attachment/${a!.id}`)).statusCode, 404);
    const res = await t.call('DELETE', `/api/mind/ticket/${ticketId}/attachment/${a!.id}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().blobsRemoved, 1);
    assert.equal((await t.call('GET', `/api/mind/ticket/${ticketId}/attachment/${a!.id}`)).statusCode, 404);
    assert.equal((await t.call('DELETE', `/api/mind/ticket/${ticketId}/attachment/${a!.id}`)).statusCode, 404);
    const ticket = (await t.call('GET', `/api/mind/ticket/${ticketId}`)).json();
    assert.deepEqual(ticket.attachments.map((x: { id: number }) => x.id), [b!.id]);
    assert.deepEqual(blobsHolding(t, secret).length, 1, 'only b is left');
    const extracted = await t.ctx.db.kysely.selectFrom('events').select('data').where('ticket_id', '=', ticketId).where('type', '=', 'attachmentExtracted').execute();
    assert.ok(extracted.every((e) => !e.data.includes(`"attachmentId":${a!.id},`)));
  });
}, { OUTBOUND_ALLOW_HOSTS: '127.0.0.1' });
