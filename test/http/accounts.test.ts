import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { ADMIN, type TestApp } from '../helpers/app.js';
import { gated, passwordWorkLoad } from '../../src/auth/passwords.js';

const login = (t: TestApp, email: string, password: string) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });

async function agentSession(t: TestApp, email: string, role = 'agent', password = 'agent-password-1') {
  const created = await t.call('POST', '/api/mind/profile', { email, name: email, password, role });
  assert.equal(created.statusCode, 200, created.body);
  const res = await login(t, email, password);
  assert.equal(res.statusCode, 200, res.body);
  const cookie = `connect.sid=${res.cookies.find((c) => c.name === 'connect.sid')!.value}`;
  const id: number = created.json().id;
  const as = (method: string, url: string, payload?: object) => t.app.inject({ method: method as 'GET', url, headers: { cookie }, ...(payload ? { payload } : {}) });
  const key: string = (await as('POST', `/api/mind/jwt/${id}`, { name: 'k' })).json().token;
  const asKey = (method: string, url: string, payload?: object) => t.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });
  return { id, as, asKey };
}

describeEachDb('accounts: credentials, last admin, acting as another agent', (app) => {
  it('changing password or email needs the current password, and not an API key', async () => {
    const t = app();
    const a = await agentSession(t, 'cred@test.local');
    const missing = await a.as('PATCH', `/api/mind/profile/${a.id}`, { password: 'new-password-123' });
    assert.equal(missing.statusCode, 422, missing.body);
    assert.equal(missing.json().error.field, 'currentPassword');
    const wrong = await a.as('PATCH', `/api/mind/profile/${a.id}`, { password: 'new-password-123', currentPassword: 'not-my-password' });
    assert.equal(wrong.statusCode, 403);
    assert.equal(wrong.json().error.field, 'currentPassword');
    const byKey = await a.asKey('PATCH', `/api/mind/profile/${a.id}`, { email: 'taken-over@test.local', currentPassword: 'agent-password-1' });
    assert.equal(byKey.statusCode, 403, byKey.body);
    assert.equal((await login(t, 'cred@test.local', 'new-password-123')).statusCode, 401, 'nothing was changed');
    const row = await t.ctx.db.kysely.selectFrom('agents').select('email').where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.equal(row.email, 'cred@test.local');
    // A name change needs nothing more.
    assert.equal((await a.asKey('PATCH', `/api/mind/profile/${a.id}`, { name: 'Renamed' })).statusCode, 200);
    const ok = await a.as('PATCH', `/api/mind/profile/${a.id}`, { password: 'new-password-123', currentPassword: 'agent-password-1' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((await login(t, 'cred@test.local', 'new-password-123')).statusCode, 200);
    // An admin changing another profile re-authenticates with the admin's own password.
    assert.equal((await t.call('PATCH', `/api/mind/profile/${a.id}`, { password: 'admin-set-123456' })).statusCode, 422);
    assert.equal((await t.call('PATCH', `/api/mind/profile/${a.id}`, { password: 'admin-set-123456', currentPassword: ADMIN.password })).statusCode, 200);
  });

  it('the last enabled admin cannot be demoted or disabled', async () => {
    const t = app();
    const demote = await t.call('PATCH', '/api/mind/profile/1', { role: 'agent' });
    assert.equal(demote.statusCode, 409, demote.body);
    assert.equal(demote.json().error.field, 'role');
    const disable = await t.call('PATCH', '/api/mind/profile/1', { enabled: false });
    assert.equal(disable.statusCode, 409);
    assert.equal(disable.json().error.field, 'enabled');
    const row = await t.ctx.db.kysely.selectFrom('agents').select(['role', 'enabled']).where('id', '=', 1).executeTakeFirstOrThrow();
    assert.deepEqual({ role: row.role, enabled: Number(row.enabled) }, { role: 'admin', enabled: 1 });
    // With a second enabled admin the first may step down; the second then may not.
    const second = (await t.call('POST', '/api/mind/profile', { email: 'admin2@test.local', name: 'A2', password: 'admin2-password', role: 'admin' })).json().id;
    const disabledAdmin = (await t.call('POST', '/api/mind/profile', { email: 'admin3@test.local', name: 'A3', role: 'admin', enabled: false })).json().id;
    assert.ok(disabledAdmin > 0);
    assert.equal((await t.call('PATCH', `/api/mind/profile/${second}`, { role: 'agent' })).statusCode, 200);
    assert.equal((await t.call('PATCH', '/api/mind/profile/1', { role: 'agent' })).statusCode, 409, 'a disabled admin does not count');
  });


  it('an agent posts only as itself; admins and integration API keys may name another agent', async () => {
    const t = app();
    const agent = await agentSession(t, 'poster@test.local');
    const integration = await agentSession(t, 'crm@test.local', 'integration');
    const ticket = (body: object) => ({ channel: 'chat', body: 'hi', ...body });
    const asOther = await agent.as('POST', '/api/mind/ticket?process=false', ticket({ agentId: 1 }));
    assert.equal(asOther.statusCode, 403, asOther.body);
    assert.equal(asOther.json().error.field, 'agentId');
    assert.equal((await agent.asKey('POST', '/api/mind/ticket?process=false', ticket({ agentId: 1 }))).statusCode, 403, 'an agent key is no integration');
    const own = await agent.as('POST', '/api/mind/ticket?process=false', ticket({ agentId: agent.id }));
    assert.equal(own.statusCode, 200, own.body);
    const ticketId: number = own.json().id;
    const store = (as: typeof agent.as, agentId: number) => as('POST', `/api/mind/ticket/${ticketId}/conversation/store?process=false`, { direction: 'out', body: 'reply', agentId });
    const storeOther = await store(agent.as, 1);
    assert.equal(storeOther.statusCode, 403);
    assert.equal(storeOther.json().error.field, 'agentId');
    assert.equal((await store(agent.as, agent.id)).statusCode, 200);
    assert.equal((await store(integration.asKey, agent.id)).statusCode, 200, 'an integration key relays for any agent');
    assert.equal((await store(integration.as, agent.id)).statusCode, 403, "an integration's session does not");
    assert.equal((await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store?process=false`, { direction: 'out', body: 'x', agentId: agent.id })).statusCode, 200, 'admin');
    assert.equal((await integration.asKey('POST', '/api/mind/ticket?process=false', ticket({ agentId: agent.id }))).statusCode, 200);
    const conversations = await t.ctx.db.kysely.selectFrom('conversations').select('id').where('ticket_id', '=', ticketId).execute();
    assert.equal(conversations.length, 4, 'the first message and three allowed stores: the refused ones wrote nothing');
  });

  it('a profile without a password is refused after a real argon2 verification', async () => {
    const t = app();
    assert.equal((await t.call('POST', '/api/mind/profile', { email: 'nopass@test.local', name: 'N' })).statusCode, 200);
    const before = passwordWorkLoad().checks;
    assert.equal((await login(t, 'nopass@test.local', 'anything-at-all')).statusCode, 401);
    assert.equal(passwordWorkLoad().checks, before + 1, 'verified against the dummy hash');
    assert.equal((await login(t, 'nobody@test.local', 'anything-at-all')).statusCode, 401);
    assert.equal(passwordWorkLoad().checks, before + 2);
  });
});

describeEachDb('accounts: the last admin, under concurrency', (app) => {
  it('two admins demoting each other at once: exactly one succeeds', async () => {
    const t = app();
    const other = (await t.call('POST', '/api/mind/profile', { email: 'race@test.local', name: 'R', password: 'race-password-1', role: 'admin' })).json().id;
    const [a, b] = await Promise.all([
      t.call('PATCH', '/api/mind/profile/1', { enabled: false }),
      t.call('PATCH', `/api/mind/profile/${other}`, { enabled: false }),
    ]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409], `${a.body} ${b.body}`);
    const enabled = await t.ctx.db.kysely.selectFrom('agents').select('id').where('role', '=', 'admin').where('enabled', '=', 1).execute();
    assert.equal(enabled.length, 1);
  });
});

describeEachDb('accounts: login throttled per account', (app) => {
  it('past LOGIN_MAX_PER_ACCOUNT attempts the account answers 429 with Retry-After, even to the right password', async () => {
    const t = app(); // startApp's login was the first attempt
    assert.equal((await login(t, ADMIN.email, 'wrong-password-1')).statusCode, 401);
    assert.equal((await login(t, ` ${ADMIN.email.toUpperCase()}`, 'wrong-password-2')).statusCode, 401);
    const limited = await login(t, ADMIN.email, ADMIN.password);
    assert.equal(limited.statusCode, 429, limited.body);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal(limited.json().success, false);
    assert.equal(limited.json().error.code, 'rate_limited');
    // Another account from the same address is not affected.
    assert.equal((await login(t, 'other@test.local', 'whatever-pass')).statusCode, 401);
  });
}, { LOGIN_MAX_PER_ACCOUNT: '3' });

describeEachDb('accounts: login throttled per IP', (app) => {
  it('past LOGIN_MAX_PER_IP attempts from one address, every account answers 429', async () => {
    const t = app();
    assert.equal((await login(t, 'a@test.local', 'whatever-pass')).statusCode, 401);
    assert.equal((await login(t, 'b@test.local', 'whatever-pass')).statusCode, 401);
    const limited = await login(t, 'c@test.local', 'whatever-pass');
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    const elsewhere = await t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.9.8.7', payload: ADMIN });
    assert.equal(elsewhere.statusCode, 200, 'another address still logs in');
  });
}, { LOGIN_MAX_PER_IP: '3' });

describeEachDb('accounts: argon2 work is capped', (app) => {
  it('past PASSWORD_WORK_CONCURRENCY and the queue, login answers 503 with Retry-After and no session', async () => {
    const t = app();
    let release!: () => void;
    const holding = gated(() => new Promise<void>((resolve) => { release = resolve; }));
    try {
      assert.deepEqual({ running: passwordWorkLoad().running, waiting: passwordWorkLoad().waiting }, { running: 1, waiting: 0 });
      const busy = await login(t, ADMIN.email, ADMIN.password);
      assert.equal(busy.statusCode, 503, busy.body);
      assert.equal(busy.headers['retry-after'], '1');
      assert.equal(busy.json().error.code, 'overloaded');
      assert.equal(busy.cookies.length, 0);
    } finally {
      release();
      await holding;
    }
    assert.equal((await login(t, ADMIN.email, ADMIN.password)).statusCode, 200, 'the slot is free again');
  });
}, { PASSWORD_WORK_CONCURRENCY: '1', PASSWORD_WORK_MAX_WAITING: '0' });
