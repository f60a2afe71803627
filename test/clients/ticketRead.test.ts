import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { defaultSubchannel } from '../helpers/app.js';

// GET /ticket/{id} and the conversation list as Enneo's tooling reads them.
describeEachDb('ticket read side for Enneo tooling', (app) => {
  it('GET /ticket/{id}?viewing=false&includeCustomer&includeIntents&includeRawData&erpCacheOnly: tags with names, replyRecipients, emailSubchannelId', async () => {
    const t = app();
    const tag = await t.call('POST', '/api/mind/tag', { name: 'Zähler', color: '#00ff00' });
    const tagId = tag.json().id as number;
    const created = await t.call('POST', '/api/mind/ticket?process=false', {
      channel: 'email', from: 'first@kunde.example', cc: ['cc-old@kunde.example'], bcc: ['hidden@kunde.example'], body: '<p>Hallo</p>',
      tags: [tagId], customerId: 'K-1', contractId: 'V-2', rawData: { crm: 7 },
    });
    assert.equal(created.statusCode, 200, created.body);
    const id = created.json().id as number;
    assert.deepEqual(created.json().replyRecipients, { to: ['first@kunde.example'], cc: ['cc-old@kunde.example'], bcc: [] });
    const store = await t.call('POST', `/api/mind/ticket/${id}/conversation/store`, { process: false, direction: 'in', from: 'Anna <anna@kunde.example>', ccEmails: ['partner@kunde.example', 'anna@kunde.example'], bccEmails: ['secret@kunde.example'], body: 'Nachtrag' });
    assert.equal(store.statusCode, 200, store.body);
    await t.call('POST', `/api/mind/ticket/${id}/conversation/store`, { process: false, direction: 'out', body: 'Antwort', private: false });

    const res = await t.call('GET', `/api/mind/ticket/${id}?viewing=false&includeCustomer=true&includeIntents=true&includeRawData=true&erpCacheOnly=true`);
    assert.equal(res.statusCode, 200, res.body);
    const tk = res.json();
    assert.equal(tk.id, id);
    assert.deepEqual(tk.tags, [{ id: tagId, name: 'Zähler', parentId: null, color: '#00ff00' }]);
    assert.deepEqual(tk.tagIds, [tagId]);
    assert.deepEqual(tk.replyRecipients, { to: ['anna@kunde.example'], cc: ['partner@kunde.example'], bcc: [] }, 'from the last inbound message, the sender not copied to cc, bcc never');
    assert.equal(tk.emailSubchannelId, await defaultSubchannel(t));
    assert.equal(tk.spamStatus, null);
    assert.equal(tk.customerLegitimation, null);
    assert.deepEqual(tk.customer, { id: 'K-1', contractId: 'V-2' });
    assert.deepEqual(tk.rawData, { crm: 7 });
    assert.ok(Array.isArray(tk.intents));
    const plain = (await t.call('GET', `/api/mind/ticket/${id}`)).json();
    assert.equal('customer' in plain, false);
    assert.equal('rawData' in plain, false);
    assert.equal((await t.call('GET', `/api/mind/ticket/${id}?viewing=maybe`)).statusCode, 400);

    const chat = await t.call('POST', '/api/mind/ticket?process=false', { channel: 'chat', body: 'Hi' });
    assert.equal(chat.json().emailSubchannelId, await defaultSubchannel(t), 'a chat ticket answers by email through the default mailbox');
  });

  it('conversation list: type, direction, private, senderId take one value or several (OR within, AND across)', async () => {
    const t = app();
    const created = await t.call('POST', '/api/mind/ticket?process=false', { channel: 'email', from: 'k@kunde.example', body: '<p>Frage</p>' });
    const id = created.json().id as number;
    const store = (body: Record<string, unknown>) => t.call('POST', `/api/mind/ticket/${id}/conversation/store`, { process: false, ...body });
    assert.equal((await store({ direction: 'out', body: 'Antwort', agentId: 1 })).statusCode, 200);
    assert.equal((await store({ direction: 'out', body: 'Notiz', private: true, type: 'note', agentId: 1 })).statusCode, 200);
    assert.equal((await store({ direction: 'in', body: 'Danke', type: 'chat' })).statusCode, 200);
    const list = async (q: string) => {
      const res = await t.call('GET', `/api/mind/ticket/${id}/conversation?${q}`);
      assert.equal(res.statusCode, 200, `${q}: ${res.body}`);
      return (res.json().conversations as Array<{ body: string }>).map((c) => c.body);
    };
    assert.deepEqual(await list('direction=in'), ['<p>Frage</p>', 'Danke']);
    assert.deepEqual(await list('direction=in&direction=out'), ['<p>Frage</p>', 'Antwort', 'Notiz', 'Danke']);
    assert.deepEqual(await list('type=note,chat'), ['Notiz', 'Danke']);
    assert.deepEqual(await list('type=note&type=chat&direction=in'), ['Danke'], 'AND across filters');
    assert.deepEqual(await list('private=true'), ['Notiz']);
    assert.deepEqual(await list('private=true&private=false'), ['<p>Frage</p>', 'Antwort', 'Notiz', 'Danke']);
    assert.deepEqual(await list('senderId=1&private=false'), ['Antwort']);
    assert.deepEqual(await list('senderId=1&senderId=99'), ['Antwort', 'Notiz']);
    assert.equal((await t.call('GET', `/api/mind/ticket/${id}/conversation?senderId=abc`)).statusCode, 400);
  });
});
