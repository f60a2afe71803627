import { it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, defaultSubchannel, type TestApp } from '../helpers/app.js';

// Enneo's search DSL (issue 18 item 1), every key and comparator sent as Enneo's tooling writes
// it (enneo-AI/claude-plugin skills/tickets: `{"key", "values", "comparator"}`), on both databases.
// Each test scopes its tickets by a contract id of its own, so the shared app's other tickets
// never show up.

type Filter = Record<string, unknown>;

async function ids(t: TestApp, scope: string, filters: Filter[], extra: Record<string, unknown> = {}): Promise<number[]> {
  const res = await t.call('POST', '/api/mind/ticket/search', {
    filters: [{ key: 't.contractId', values: [scope], comparator: 'in' }, ...filters],
    limit: 100, offset: 0, orderByField: 't.id', orderByDirection: 'asc', ...extra,
  });
  assert.equal(res.statusCode, 200, `${JSON.stringify(filters)}: ${res.body}`);
  return (res.json().tickets as Array<{ id: number }>).map((r) => r.id);
}

async function refused(t: TestApp, body: Record<string, unknown>, status: number, field: string) {
  const res = await t.call('POST', '/api/mind/ticket/search', body);
  assert.equal(res.statusCode, status, `${JSON.stringify(body)}: ${res.body}`);
  assert.equal(res.json().error.field, field, res.body);
}

const newScope = () => `C-${crypto.randomBytes(6).toString('hex')}`;

describeEachDb('search DSL (Enneo keys and comparators)', (app) => {
  it('set keys with in / not in / = / != and the notIn alias', async () => {
    const t = app();
    const scope = newScope();
    const sub = await defaultSubchannel(t, 'email');
    const a = await createTicket(t, { contractId: scope, channel: 'email', priority: 'high', from: 'anna@example.de', customerId: 'K-1', externalTicketId: `ext-${scope}` });
    const b = await createTicket(t, { contractId: scope, channel: 'phone', priority: 'low', from: 'bert@example.de', status: 'closed' });
    const c = await createTicket(t, { contractId: scope, channel: 'letter', direction: 'out', priority: 'urgent' });
    assert.deepEqual(await ids(t, scope, [{ key: 't.status', values: ['open'], comparator: 'in' }]), [a, c]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.status', values: ['open'], comparator: 'not in' }]), [b]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.status', values: ['open'], comparator: 'notIn' }]), [b]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.status', values: ['open'], comparator: 'NOT IN' }]), [b]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.channel', values: ['all'], comparator: 'in' }]), [a, b, c]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.channel', values: ['email', 'phone'], comparator: 'in' }]), [a, b]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.channel', value: 'email', comparator: '!=' }]), [b, c]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.priority', values: ['urgent', 'high'], comparator: 'in' }]), [a, c]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.direction', values: ['out'], comparator: 'in' }]), [c]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.direction', value: 'in', comparator: '=' }]), [a, b]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.subchannelId', values: [sub], comparator: 'in' }]), [a]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.channelId', values: [sub], comparator: 'in' }]), [a]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.from', values: ['bert@example.de'], comparator: 'in' }]), [b]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.from', value: 'anna', comparator: 'like' }]), [a]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.customerId', values: ['K-1'], comparator: 'in' }]), [a]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.externalTicketId', value: `ext-${scope}`, comparator: '=' }]), [a]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.id', values: [a, c], comparator: 'in' }]), [a, c]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.id', value: a, comparator: '>' }]), [b, c]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.id', value: String(b), comparator: '<=' }]), [a, b]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.aiSupportLevel', values: ['human'], comparator: 'in' }]), [a, b, c], 'process=false is human');
    // An unprefixed key, as the docs' generated example sends it.
    assert.deepEqual(await ids(t, scope, [{ key: 'channel', values: ['phone'], comparator: 'in' }]), [b]);
  });

  it('t.agentId takes ids and "unassigned"; a negated filter keeps unassigned tickets; "team" is refused', async () => {
    const t = app();
    const scope = newScope();
    const me = (await t.call('GET', '/api/mind/profile')).json().id as number;
    const mine = await createTicket(t, { contractId: scope, agentId: me });
    const nobody = await createTicket(t, { contractId: scope });
    assert.deepEqual(await ids(t, scope, [{ key: 't.agentId', values: [me], comparator: 'in' }]), [mine]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.agentId', values: ['unassigned'], comparator: 'in' }]), [nobody]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.agentId', values: [me, 'unassigned'], comparator: 'in' }]), [mine, nobody]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.agentId', values: [me], comparator: 'not in' }]), [nobody]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.agentId', values: ['unassigned'], comparator: 'not in' }]), [mine]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.agentId', value: me, comparator: '=' }]), [mine]);
    await refused(t, { filters: [{ key: 't.agentId', values: ['team'], comparator: 'in' }] }, 400, 'filters[0].values[0]');
    await refused(t, { filters: [{ key: 't.agentId', value: me, comparator: '>' }] }, 400, 'filters[0].comparator');
  });

  it('tags: tt.tagId, tt_matchAny, tt_matchAll, tt_matchExact', async () => {
    const t = app();
    const scope = newScope();
    const tag = async (name: string) => (await t.call('POST', '/api/mind/tag', { name: `${name}-${scope}` })).json().id as number;
    const [x, y, z] = [await tag('x'), await tag('y'), await tag('z')];
    const onlyX = await createTicket(t, { contractId: scope, tags: [x] });
    const xy = await createTicket(t, { contractId: scope, tags: [x, y] });
    const xyz = await createTicket(t, { contractId: scope, tags: [x, y, z] });
    const none = await createTicket(t, { contractId: scope });
    assert.deepEqual(await ids(t, scope, [{ key: 'tt.tagId', values: [y], comparator: 'in' }]), [xy, xyz]);
    assert.deepEqual(await ids(t, scope, [{ key: 'tt.tagId', values: [y], comparator: 'not in' }]), [onlyX, none]);
    assert.deepEqual(await ids(t, scope, [{ key: 'tt_matchAny.tagId', values: [y, z], comparator: 'in' }]), [xy, xyz]);
    assert.deepEqual(await ids(t, scope, [{ key: 'tt_matchAll.tagId', values: [x, y], comparator: 'in' }]), [xy, xyz]);
    assert.deepEqual(await ids(t, scope, [{ key: 'tt_matchAll.tagId', values: [x, z], comparator: 'in' }]), [xyz]);
    assert.deepEqual(await ids(t, scope, [{ key: 'tt_matchExact.tagId', values: [x, y], comparator: 'in' }]), [xy]);
    assert.deepEqual(await ids(t, scope, [{ key: 'tt_matchExact.tagId', values: [x], comparator: 'in' }]), [onlyX]);
    assert.deepEqual(await ids(t, scope, [{ key: 'tt_matchExact.tagId', values: [x, y], comparator: 'not in' }]), [onlyX, xyz, none]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.tagIds', values: [z], comparator: 'in' }]), [xyz], 'our older name');
    await refused(t, { filters: [{ key: 'tt.tagId', from: 1, to: 2, comparator: 'between' }] }, 400, 'filters[0].comparator');
  });

  it('date keys: the six scalar comparators, between / not between, and every value form', async () => {
    const t = app();
    const scope = newScope();
    const now = Math.floor(Date.now() / 1000);
    const midnight = now - (now % 86400);
    const old = await createTicket(t, { contractId: scope, createdAt: '2024-03-01 12:00:00' });
    const tenDays = await createTicket(t, { contractId: scope, createdAt: now - 10 * 86400 });
    const today = await createTicket(t, { contractId: scope, createdAt: midnight });
    const key = 't.createdAt';
    assert.deepEqual(await ids(t, scope, [{ key, value: '2024-03-01', comparator: '>' }]), [old, tenDays, today]);
    assert.deepEqual(await ids(t, scope, [{ key, value: '2024-03-01 12:00:00', comparator: '=' }]), [old]);
    assert.deepEqual(await ids(t, scope, [{ key, value: '2024-03-01 12:00:00', comparator: '!=' }]), [tenDays, today]);
    assert.deepEqual(await ids(t, scope, [{ key, value: '2024-03-02', comparator: '<' }]), [old]);
    assert.deepEqual(await ids(t, scope, [{ key, value: midnight, comparator: '>=' }]), [today]);
    assert.deepEqual(await ids(t, scope, [{ key, value: String(midnight - 1), comparator: '<=' }]), [old, tenDays]);
    assert.deepEqual(await ids(t, scope, [{ key, value: 'CURRENT_DATE', comparator: '>=' }]), [today]);
    assert.deepEqual(await ids(t, scope, [{ key, value: 'CURRENT_TIME', comparator: '<=' }]), [old, tenDays, today]);
    assert.deepEqual(await ids(t, scope, [{ key, value: '-7 DAY', comparator: '>=' }]), [today]);
    assert.deepEqual(await ids(t, scope, [{ key, value: '-11 DAY', comparator: '>=' }]), [tenDays, today]);
    assert.deepEqual(await ids(t, scope, [{ key, value: '-4 HOUR', comparator: '<' }]), now - midnight >= 4 * 3600 ? [old, tenDays, today] : [old, tenDays]);
    assert.deepEqual(await ids(t, scope, [{ key, from: '2024-01-01', to: '2024-12-31 23:59:59', comparator: 'between' }]), [old]);
    assert.deepEqual(await ids(t, scope, [{ key, from: '-30 DAY', to: 'CURRENT_TIME', comparator: 'between' }]), [tenDays, today]);
    assert.deepEqual(await ids(t, scope, [{ key, from: '-30 DAY', to: 'CURRENT_TIME', comparator: 'not between' }]), [old]);
    assert.deepEqual(await ids(t, scope, [{ key, from: 1704067200, to: 1735689599, comparator: 'not between' }]), [tenDays, today]);
    assert.deepEqual(await ids(t, scope, [{ key, value: '-1 MONTH', comparator: '<' }]), [old]);
    // The other date keys take the same forms.
    for (const k of ['t.modifiedAt', 't.lastMessageAt', 't.lastCustomerMessageAt', 't.firstResponseDueBy', 't.dueBy', 't.closedAt', 't.modelRunAt']) {
      await ids(t, scope, [{ key: k, value: '-7 DAY', comparator: '>=' }]);
    }
    await refused(t, { filters: [{ key, value: 'last tuesday', comparator: '>' }] }, 422, 'filters[0].value');
    await refused(t, { filters: [{ key, value: '-9999999 YEAR', comparator: '>' }] }, 422, 'filters[0].value');
    await refused(t, { filters: [{ key, from: '-7 DAY', comparator: 'between' }] }, 400, 'filters[0]');
    await refused(t, { filters: [{ key, value: '-7 DAY', comparator: 'before' }] }, 400, 'filters[0].comparator');
  });

  it('AI fields: i.aiAgentId, t.language, t.languageCode, t.modelRunAt after a real AI run; t.spamStatus, t.sentiment', async () => {
    const t = app();
    const scope = newScope();
    const meter = await createTicket(t, { contractId: scope });
    const res = await t.call('POST', `/api/mind/ticket/${meter}/conversation/store`, {
      process: 'realtime', direction: 'in', subject: 'Zählerstand', body: '<p>Guten Tag, mein Zählerstand beträgt heute 12.345,6 kWh. Zählernummer 1ESY1160123456.</p>',
    });
    assert.equal(res.statusCode, 200, res.body);
    const plain = await createTicket(t, { contractId: scope });
    const agentId = (await t.call('GET', `/api/mind/intent/byTicketId/${meter}`)).json().intents[0].aiAgentId as number;
    assert.deepEqual(await ids(t, scope, [{ key: 'i.aiAgentId', values: [agentId], comparator: 'in' }]), [meter]);
    assert.deepEqual(await ids(t, scope, [{ key: 'i.aiAgentId', values: [agentId], comparator: 'not in' }]), [plain]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.languageCode', values: ['de'], comparator: 'in' }]), [meter]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.language', values: ['German'], comparator: 'in' }]), [meter]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.modelRunAt', value: '-1 HOUR', comparator: '>=' }]), [meter]);
    // Search rows carry the intents.
    const rows = (await t.call('POST', '/api/mind/ticket/search', { filters: [{ key: 't.id', values: [meter], comparator: 'in' }] })).json().tickets;
    assert.equal(rows[0].intents[0].aiAgentId, agentId);
    assert.equal(typeof rows[0].intents[0].code, 'string');
    // No API writes spamStatus or sentiment yet: the columns are set as an import would.
    await t.ctx.db.kysely.updateTable('tickets').set({ spam_status: 'auto_spam', sentiment: 'negative' }).where('id', '=', plain).execute();
    assert.deepEqual(await ids(t, scope, [{ key: 't.spamStatus', values: ['auto_spam', 'manual_spam'], comparator: 'in' }]), [plain]);
    assert.deepEqual(await ids(t, scope, [{ key: 't.sentiment', value: 'negative', comparator: '=' }]), [plain]);
    const spam = (await t.call('POST', '/api/mind/ticket/search', { filters: [{ key: 't.id', values: [plain], comparator: 'in' }] })).json().tickets;
    assert.equal(spam[0].spamStatus, 'auto_spam');
  });

  it('the q filter combines with the other keys', async () => {
    const t = app();
    const scope = newScope();
    const word = `wort${crypto.randomBytes(4).toString('hex').replace(/\d/g, 'k')}`;
    const open = await createTicket(t, { contractId: scope, body: `<p>${word}</p>` });
    await createTicket(t, { contractId: scope, body: `<p>${word}</p>`, status: 'closed' });
    assert.deepEqual(await ids(t, scope, [{ key: 'q', value: word }, { key: 't.status', values: ['open'], comparator: 'in' }]), [open]);
    await refused(t, { filters: [{ key: 'q', values: [word], comparator: 'in' }] }, 400, 'filters[0].comparator');
    await refused(t, { filters: [{ key: 'q', value: 5 }] }, 400, 'filters[0].value');
  });

  it("orderByField: Enneo's whitelist, priority by urgency, the fields we lack named", async () => {
    const t = app();
    const scope = newScope();
    const low = await createTicket(t, { contractId: scope, priority: 'low' });
    const urgent = await createTicket(t, { contractId: scope, priority: 'urgent' });
    const medium = await createTicket(t, { contractId: scope, priority: 'medium' });
    assert.deepEqual(await ids(t, scope, [], { orderByField: 't.priority', orderByDirection: 'desc' }), [urgent, medium, low]);
    assert.deepEqual(await ids(t, scope, [], { orderByField: 't.priority', orderByDirection: 'asc' }), [low, medium, urgent]);
    const whitelist = ['t.id', 't.channel', 't.channelId', 't.subchannelId', 't.direction', 't.status', 't.priority', 't.agentId', 't.customerId',
      't.contractId', 't.aiSupportLevel', 't.sentiment', 't.language', 't.languageCode', 't.from', 't.createdAt', 't.modifiedAt',
      't.firstResponseDueBy', 't.dueBy', 't.lastMessageAt', 't.lastCustomerMessageAt', 'i.aiAgentId', 'tt.tagId'];
    for (const orderByField of whitelist) {
      assert.equal((await ids(t, scope, [], { orderByField })).length, 3, orderByField);
    }
    for (const orderByField of ['t.partnerId', 't.isCustomerActive', 't.body', 'relevance']) {
      await refused(t, { orderByField }, 400, 'orderByField');
    }
  });
});
