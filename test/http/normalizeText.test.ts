import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, type TestApp } from '../helpers/app.js';
import { checkAndNormalizeJson, normalizeText } from '../../src/http/normalizeText.js';

// Depth/size limits on every JSON body, and text normalised once on the way in (issue 11, items 3 and 4).

async function conversations(t: TestApp): Promise<number> {
  const k = t.ctx.db.kysely;
  return Number((await k.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

const raw = (t: TestApp, url: string, payload: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, headers: { cookie: t.cookie, 'content-type': 'application/json', ...headers }, payload });

it('normalizeText removes NUL and replaces lone surrogates, keeping pairs', () => {
  assert.equal(normalizeText('a\u0000b'), 'ab');
  assert.equal(normalizeText('x\uD800y\uDC00'), 'x\uFFFDy\uFFFD');
  assert.equal(normalizeText('😀'), '😀');
});

it('checkAndNormalizeJson walks 1,000,000 levels without recursion and names the path', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 1_000_000; i++) deep = [deep];
  assert.throws(() => checkAndNormalizeJson({ rawData: deep }), (e: Error & { field?: string }) => e.field === `rawData${'[0]'.repeat(63)}`);
});

describeEachDb('JSON limits and text normalisation', (app) => {
  let ticketId: number;
  before(async () => {
    ticketId = await createTicket(app());
  });

  for (const field of ['rawData', 'sender']) {
    it(`10,000 nested levels in ${field} → 400 naming the path, nothing stored`, async () => {
      const t = app();
      const before = await conversations(t);
      const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
      for (const headers of [{}, { 'idempotency-key': `deep-${field}` }] as Array<Record<string, string>>) {
        const res = await raw(t, `/api/mind/ticket/${ticketId}/conversation/store`, `{"body":"x","${field}":${deep}}`, headers);
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().success, false);
        assert.equal(res.json().error.code, 'too_deep');
        assert.equal(res.json().error.field, `${field}${'.a'.repeat(63)}`);
      }
      assert.equal(await conversations(t), before);
    });
  }

  it('too many keys in one object → 400 naming it', async () => {
    const t = app();
    const keys = Array.from({ length: 10_001 }, (_, i) => `"k${i}":1`).join(',');
    const res = await raw(t, `/api/mind/ticket/${ticketId}/conversation/store`, `{"body":"x","rawData":{${keys}}}`);
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.field, 'rawData');
  });

  it('NUL and lone surrogates are stored alike on both databases, and the answer shows what a later GET shows', async () => {
    const t = app();
    const res = await raw(t, `/api/mind/ticket/${ticketId}/conversation/store`, JSON.stringify({ body: 'x', rawData: { note: 'a\u0000b\uD800c', 'k\u0000': 1 } }));
    assert.equal(res.statusCode, 200, res.body);
    const got = await t.call('GET', `/api/mind/ticket/${ticketId}/conversation/${res.json().conversationId}?includeRawData=true`);
    assert.equal(got.statusCode, 200, got.body);
    assert.deepEqual(got.json().conversation.rawData, { note: 'ab\uFFFDc', k: 1 });
  });

  it('NUL in a ticket subject and in the search q is no 500', async () => {
    const t = app();
    const res = await t.call('POST', '/api/mind/ticket?process=false', { channel: 'email', from: 'kunde@example.de', subject: 'Fr\u0000age', body: 'Hallo\u0000' });
    assert.equal(res.statusCode < 300, true, res.body);
    const q = await t.call('POST', '/api/mind/ticket/search', { q: 'Fr\u0000age' });
    assert.equal(q.statusCode, 200, q.body);
  });
});

describeEachDb('numbers out of the columns\' range are 400 naming the field', (app) => {
  const cases: Array<[string, string, unknown, string]> = [
    ['intentIds: [1e30]', 'store', { body: 'x', intentIds: [1e30] }, 'intentIds[0]'],
    ['intentIds: [1.5]', 'store', { body: 'x', intentIds: [1.5] }, 'intentIds[0]'],
    ['agentId ≥ 2^31', 'store', { body: 'x', agentId: 2 ** 31 }, 'agentId'],
    ['subchannelId non-integer', 'store', { body: 'x', subchannelId: 2.5 }, 'subchannelId'],
    ['search offset ≥ 2^63', 'search', { offset: 2 ** 63 }, 'offset'],
  ];
  let ticketId: number;
  before(async () => {
    ticketId = await createTicket(app());
  });
  for (const [name, where, body, field] of cases) {
    it(name, async () => {
      const t = app();
      const before = await conversations(t);
      const url = where === 'store' ? `/api/mind/ticket/${ticketId}/conversation/store` : '/api/mind/ticket/search';
      const res = await t.call('POST', url, body);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.field, field, res.body);
      assert.equal(await conversations(t), before);
    });
  }
});

describeEachDb('conversation list pages', (app) => {
  it('limit/offset page oldest first in a stable order; out-of-range values are 400', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    for (let i = 0; i < 4; i++) {
      const r = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'false', body: `m${i}`, createdAt: 1_700_000_000 });
      assert.equal(r.statusCode, 200, r.body);
    }
    const all = (await t.call('GET', `/api/mind/ticket/${ticketId}/conversation`)).json().conversations.map((c: { id: number }) => c.id);
    assert.ok(all.length >= 5);
    const paged: number[] = [];
    for (let offset = 0; offset < all.length; offset += 2) {
      const page = await t.call('GET', `/api/mind/ticket/${ticketId}/conversation?limit=2&offset=${offset}`);
      assert.equal(page.statusCode, 200, page.body);
      paged.push(...page.json().conversations.map((c: { id: number }) => c.id));
    }
    assert.deepEqual(paged, all);
    for (const q of ['limit=501', 'limit=0', 'offset=9223372036854775808', 'limit=1.5']) {
      const bad = await t.call('GET', `/api/mind/ticket/${ticketId}/conversation?${q}`);
      assert.equal(bad.statusCode, 400, `${q}: ${bad.body}`);
      assert.equal(bad.json().error.field, q.split('=')[0]);
    }
  });
});
