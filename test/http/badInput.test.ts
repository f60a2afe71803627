import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, type TestApp } from '../helpers/app.js';

// Every bad request gets a 4xx JSON error naming the field, and writes nothing.

async function counts(t: TestApp) {
  const k = t.ctx.db.kysely;
  const n = async (table: 'conversations' | 'events' | 'jobs' | 'attachments' | 'tickets') => Number((await k.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { conversations: await n('conversations'), events: await n('events'), jobs: await n('jobs'), attachments: await n('attachments'), tickets: await n('tickets') };
}

describeEachDb('bad input on the store endpoint', (app) => {
  let ticketId: number;
  const cases: Array<[string, unknown, number, string | undefined]> = [
    ['invalid cc address', { ccEmails: ['ok@example.de', '<string>'] }, 422, 'ccEmails[1]'],
    ['invalid bcc address', { bccEmails: ['nope'] }, 422, 'bccEmails[0]'],
    ['invalid from', { from: 'not an address' }, 422, 'from'],
    ['unknown subchannel', { subchannelId: 99999 }, 422, 'subchannelId'],
    ['unknown agent', { agentId: 99999 }, 422, 'agentId'],
    ['unknown intent', { intentIds: [123] }, 422, 'intentIds[0]'],
    ['bad date', { createdAt: '2024-02-30 10:00:00' }, 422, 'createdAt'],
    ['unparseable date', { dueBy: 'next tuesday' }, 422, 'dueBy'],
    ['pending without future dueBy', { status: 'pending' }, 422, 'status'],
    ['unknown status', { status: 'sleeping' }, 422, 'status'],
    ['attachment without source', { attachments: [{ name: 'a.pdf' }] }, 422, 'attachments[0]'],
    ['attachment with ftp url', { attachments: [{ name: 'a.pdf', url: 'ftp://x/a.pdf' }] }, 422, 'attachments[0].url'],
    ['wrong type: subchannelId as string', { subchannelId: 'four' }, 400, 'subchannelId'],
    ['wrong type: to not an array', { to: 'a@b.de' }, 400, 'to'],
    ['wrong type: private as string', { private: 'no' }, 400, 'private'],
    ['unknown enum: direction', { direction: 'sideways' }, 400, 'direction'],
    ['unknown enum: process', { process: 'later' }, 400, 'process'],
    ['unknown enum: priority', { priority: 'whenever' }, 400, 'priority'],
    ['attachment without name', { attachments: [{ url: 'https://example.com/a.pdf' }] }, 400, 'attachments[0].name'],
  ];

  // The ticket every test stores on; a hook, so no test depends on another having run first.
  before(async () => {
    ticketId = await createTicket(app());
  });

  for (const [name, body, status, field] of cases) {
    it(`${name} → ${status} naming ${field}`, async () => {
      const t = app();
      const before = await counts(t);
      const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { body: 'x', ...(body as object) });
      assert.equal(res.statusCode, status, res.body);
      const json = res.json();
      assert.equal(json.success, false);
      assert.equal(typeof json.error.code, 'string');
      assert.equal(typeof json.error.message, 'string');
      assert.equal(json.error.field, field, json.error.message);
      assert.deepEqual(await counts(t), before, 'nothing was written');
    });
  }

  it('malformed JSON → 400', async () => {
    const t = app();
    const res = await t.app.inject({ method: 'POST', url: `/api/mind/ticket/${ticketId}/conversation/store`, headers: { cookie: t.cookie, 'content-type': 'application/json' }, payload: '{"body": "x",' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'malformed_json');
  });

  it('wrong content type → 415', async () => {
    const t = app();
    const res = await t.app.inject({ method: 'POST', url: `/api/mind/ticket/${ticketId}/conversation/store`, headers: { cookie: t.cookie, 'content-type': 'text/xml' }, payload: '<x/>' });
    assert.equal(res.statusCode, 415);
    assert.equal(res.json().success, false);
  });

  it('unknown ticket → 404', async () => {
    const res = await app().call('POST', '/api/mind/ticket/999999/conversation/store', { body: 'x' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.field, 'ticketId');
  });

  it('non-numeric ticket id → 400', async () => {
    const res = await app().call('POST', '/api/mind/ticket/abc/conversation/store', { body: 'x' });
    assert.equal(res.statusCode, 400);
  });

  it('no credentials → 401, bad key → 401', async () => {
    const t = app();
    const a = await t.app.inject({ method: 'POST', url: `/api/mind/ticket/${ticketId}/conversation/store`, payload: { body: 'x' } });
    assert.equal(a.statusCode, 401);
    assert.equal(a.json().error.code, 'unauthorized');
    const b = await t.app.inject({ method: 'POST', url: `/api/mind/ticket/${ticketId}/conversation/store`, payload: { body: 'x' }, headers: { authorization: 'Bearer nope' } });
    assert.equal(b.statusCode, 401);
  });

  it('unknown fields are ignored and never stored outside rawData', async () => {
    const t = app();
    const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { body: 'x', someExtra: { deep: 1 }, rawData: { mine: 2 } });
    assert.equal(res.statusCode, 200);
    const got = await t.call('GET', `/api/mind/ticket/${ticketId}/conversation/${res.json().conversationId}?includeRawData=true`);
    assert.deepEqual(got.json().conversation.rawData, { mine: 2 });
    assert.ok(!JSON.stringify(got.json()).includes('someExtra'));
  });
});

describeEachDb('body limit', (app) => {
  it('a body over the limit → 413 and nothing stored', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const before = await counts(t);
    const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { body: 'x'.repeat(300 * 1024) });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'payload_too_large');
    assert.match(res.json().error.message, /262144 bytes/);
    assert.deepEqual(await counts(t), before);
  });
}, { BODY_LIMIT_BYTES: String(256 * 1024) });
