import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, defaultSubchannel, type TestApp } from '../helpers/app.js';

async function ticketCount(t: TestApp): Promise<number> {
  return (await t.ctx.db.kysely.selectFrom('tickets').select('id').execute()).length;
}

// The reference check runs before the ticket insert. A rolled-back insert would leave no row
// either, but on PostgreSQL it still takes a number from the id sequence (sequences are not
// transactional), so consecutive ids around the refused create show that no insert was tried.
describeEachDb('ticket create: references checked before any insert', (app) => {
  for (const [name, body, field] of [
    ['an unknown subchannelId', () => ({ subchannelId: 987_654 }), 'subchannelId'],
    ['a subchannel of another channel', (chat: number) => ({ subchannelId: chat }), 'subchannelId'],
    ['an unknown intentId', () => ({ intentIds: [987_654] }), 'intentIds[0]'],
    ['an unknown agentId', () => ({ agentId: 987_654 }), 'agentId'],
  ] as const) {
    it(`${name} is a 422 naming ${field} and writes no ticket`, async () => {
      const t = app();
      const chat = await defaultSubchannel(t, 'chat');
      const first = await createTicket(t);
      const count = await ticketCount(t);
      const res = await t.call('POST', '/api/mind/ticket?process=false', { channel: 'email', from: 'kunde@example.de', body: '<p>Hallo</p>', ...body(chat) });
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(res.json().success, false);
      assert.equal(res.json().error.field, field);
      assert.equal(await ticketCount(t), count);
      assert.equal(await createTicket(t), first + 1, 'no ticket insert was attempted');
    });
  }

  it('store and patch use the same check', async () => {
    const t = app();
    const id = await createTicket(t);
    const store = await t.call('POST', `/api/mind/ticket/${id}/conversation/store`, { process: 'false', body: 'x', intentIds: [987_654] });
    assert.equal(store.statusCode, 422);
    assert.equal(store.json().error.field, 'intentIds[0]');
    const patch = await t.call('PATCH', `/api/mind/ticket/${id}`, { agentId: 987_654 });
    assert.equal(patch.statusCode, 422);
    assert.equal(patch.json().error.field, 'agentId');
  });
});
