import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, type TestApp } from '../helpers/app.js';

const SECRET = 'a-test-secret-0123456789';

async function agentToken(t: TestApp): Promise<string> {
  const created = await t.call('POST', '/api/mind/profile', { email: `agent-${Date.now()}@test.local`, name: 'Agent', password: 'agent-password-1', role: 'agent' });
  assert.equal(created.statusCode, 200, created.body);
  const key = await t.call('POST', `/api/mind/jwt/${created.json().id}`, { name: 'hooks test' });
  assert.equal(key.statusCode, 200, key.body);
  return key.json().token as string;
}

describeEachDb('event hooks API', (app) => {
  it('creates, lists (without the secret), changes and deletes a hook', async () => {
    const t = app();
    const res = await t.call('POST', '/api/mind/settings/event-hook', { url: 'http://127.0.0.1:9/hook', eventTypes: ['TicketCreated', 'ConversationStored'], secret: SECRET });
    assert.equal(res.statusCode, 200, res.body);
    const { id, success, secret } = res.json();
    assert.equal(success, true);
    assert.equal(typeof id, 'number');
    assert.equal(secret, undefined, 'a given secret is not echoed');

    const list = await t.call('GET', '/api/mind/settings/event-hook');
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes(SECRET), 'the secret never appears in GET');
    const hook = list.json().eventHooks.find((h: { id: number }) => h.id === id);
    assert.deepEqual(hook.eventTypes, ['TicketCreated', 'ConversationStored']);
    assert.equal(hook.enabled, true);
    assert.equal(hook.disabledReason, null);
    assert.equal('secret' in hook, false);

    const patch = await t.call('PATCH', `/api/mind/settings/event-hook/${id}`, { eventTypes: ['TicketUpdated'], enabled: false });
    assert.equal(patch.statusCode, 200, patch.body);
    const one = (await t.call('GET', `/api/mind/settings/event-hook/${id}`)).json().eventHook;
    assert.deepEqual(one.eventTypes, ['TicketUpdated']);
    assert.equal(one.enabled, false);
    assert.equal(typeof one.disabledReason, 'string');

    assert.equal((await t.call('DELETE', `/api/mind/settings/event-hook/${id}`)).statusCode, 200);
    assert.equal((await t.call('GET', `/api/mind/settings/event-hook/${id}`)).statusCode, 404);
    assert.equal((await t.call('DELETE', `/api/mind/settings/event-hook/${id}`)).statusCode, 404);
    assert.equal((await t.call('GET', `/api/mind/settings/event-hook/${id}/deliveries`)).statusCode, 404);
  });

  it('generates a secret when none is given, shows it once, and refuses short ones', async () => {
    const t = app();
    const res = await t.call('POST', '/api/mind/settings/event-hook', { url: 'http://127.0.0.1:9/hook', eventTypes: ['TicketUpdated'] });
    assert.equal(res.statusCode, 200, res.body);
    const { id, secret } = res.json();
    assert.equal(typeof secret, 'string');
    assert.ok(secret.length >= 32);
    assert.ok(!(await t.call('GET', '/api/mind/settings/event-hook')).body.includes(secret));
    assert.ok(!(await t.call('GET', `/api/mind/settings/event-hook/${id}`)).body.includes(secret));

    const short = await t.call('POST', '/api/mind/settings/event-hook', { url: 'http://127.0.0.1:9/hook', eventTypes: ['TicketUpdated'], secret: 'too-short' });
    assert.equal(short.statusCode, 422, short.body);
    assert.equal(short.json().error.field, 'secret');
    const shortPatch = await t.call('PATCH', `/api/mind/settings/event-hook/${id}`, { secret: 'too-short' });
    assert.equal(shortPatch.statusCode, 422);
    assert.equal(shortPatch.json().error.field, 'secret');
    await t.call('DELETE', `/api/mind/settings/event-hook/${id}`);
  });

  it('refuses an unknown event type with 422 naming eventTypes[i]', async () => {
    const t = app();
    const res = await t.call('POST', '/api/mind/settings/event-hook', { url: 'http://127.0.0.1:9/hook', eventTypes: ['TicketCreated', 'TicketExploded'], secret: SECRET });
    assert.equal(res.statusCode, 422, res.body);
    assert.equal(res.json().error.field, 'eventTypes[1]');
    assert.match(res.json().error.message, /TicketExploded/);
    const lower = await t.call('POST', '/api/mind/settings/event-hook', { url: 'http://127.0.0.1:9/hook', eventTypes: ['ticketCreated'], secret: SECRET });
    assert.equal(lower.statusCode, 422);
    assert.equal(lower.json().error.field, 'eventTypes[0]');
    assert.match(lower.json().error.message, /PascalCase name "TicketCreated"/);
    const none = await t.call('POST', '/api/mind/settings/event-hook', { url: 'http://127.0.0.1:9/hook', eventTypes: [], secret: SECRET });
    assert.equal(none.statusCode, 422);
    assert.equal(none.json().error.field, 'eventTypes');
    // Every name getEventTypes lists is accepted.
    const names = (await t.call('GET', '/api/mind/event/getEventTypes')).json().eventTypes.map((e: { hookName: string }) => e.hookName);
    const all = await t.call('POST', '/api/mind/settings/event-hook', { url: 'http://127.0.0.1:9/hook', eventTypes: names, secret: SECRET });
    assert.equal(all.statusCode, 200, all.body);
    await t.call('DELETE', `/api/mind/settings/event-hook/${all.json().id}`);
  });

  it('refuses private, loopback, link-local and metadata URLs with 422 naming url', async () => {
    const t = app();
    for (const url of ['http://10.0.0.1/hook', 'http://169.254.169.254/', 'http://127.0.0.2/hook', 'http://[::1]/hook', 'http://192.168.0.10/', 'ftp://127.0.0.1/hook', 'http://100.64.1.1/']) {
      const res = await t.call('POST', '/api/mind/settings/event-hook', { url, eventTypes: ['TicketCreated'], secret: SECRET });
      assert.equal(res.statusCode, 422, `${url}: ${res.body}`);
      assert.equal(res.json().error.field, 'url', url);
    }
    const hook = await t.call('POST', '/api/mind/settings/event-hook', { url: 'http://127.0.0.1:9/hook', eventTypes: ['TicketCreated'], secret: SECRET });
    const patch = await t.call('PATCH', `/api/mind/settings/event-hook/${hook.json().id}`, { url: 'http://169.254.169.254/latest' });
    assert.equal(patch.statusCode, 422);
    assert.equal(patch.json().error.field, 'url');
    await t.call('DELETE', `/api/mind/settings/event-hook/${hook.json().id}`);
  });

  it('refuses a non-admin with 403 on every hook route', async () => {
    const t = app();
    const token = await agentToken(t);
    const as = (method: string, url: string, body?: unknown) => t.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body as object } : {}) });
    const hook = await t.call('POST', '/api/mind/settings/event-hook', { url: 'http://127.0.0.1:9/hook', eventTypes: ['TicketCreated'], secret: SECRET });
    const id = hook.json().id as number;
    for (const [method, url, body] of [
      ['GET', '/api/mind/settings/event-hook'],
      ['POST', '/api/mind/settings/event-hook', { url: 'http://127.0.0.1:9/x', eventTypes: ['TicketCreated'], secret: SECRET }],
      ['GET', `/api/mind/settings/event-hook/${id}`],
      ['PATCH', `/api/mind/settings/event-hook/${id}`, { enabled: false }],
      ['DELETE', `/api/mind/settings/event-hook/${id}`],
      ['GET', `/api/mind/settings/event-hook/${id}/deliveries`],
    ] as const) {
      const res = await as(method, url, body);
      assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
      assert.equal(res.json().error.code, 'forbidden');
    }
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/mind/settings/event-hook' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal((await t.call('GET', `/api/mind/settings/event-hook/${id}`)).json().eventHook.enabled, true);
    await t.call('DELETE', `/api/mind/settings/event-hook/${id}`);
  });

  it('does not deliver events recorded before the hook was created', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { body: '<p>before</p>', process: false });
    const hook = await t.call('POST', '/api/mind/settings/event-hook', { url: 'http://127.0.0.1:9/hook', eventTypes: ['ConversationStored', 'TicketCreated'], secret: SECRET });
    const id = hook.json().id as number;
    await t.services.hookDispatcher.settled(); // a dispatch pass that saw the hook and the older event
    const res = await t.call('GET', `/api/mind/settings/event-hook/${id}/deliveries`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().deliveries, []);
    assert.equal(res.json().total, 0);
    await t.call('DELETE', `/api/mind/settings/event-hook/${id}`);
  });
}, { OUTBOUND_ALLOW_HOSTS: '127.0.0.1' });
