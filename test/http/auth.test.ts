import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { ADMIN, databases, startApp } from '../helpers/app.js';

describeEachDb('auth: sessions, API keys, roles', (app) => {
  it('login sets an httpOnly connect.sid cookie with a new id each time; wrong password → 401', async () => {
    const t = app();
    const a = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN });
    const b = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN });
    const ca = a.cookies.find((c) => c.name === 'connect.sid')!;
    const cb = b.cookies.find((c) => c.name === 'connect.sid')!;
    assert.equal(ca.httpOnly, true);
    assert.equal(ca.sameSite, 'Lax');
    assert.notEqual(ca.value, cb.value);
    const bad = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { ...ADMIN, password: 'wrong-password' } });
    assert.equal(bad.statusCode, 401);
    const unknown = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'x@y.de', password: 'wrong-password' } });
    assert.equal(unknown.statusCode, 401);
    const me = await t.app.inject({ method: 'GET', url: '/api/mind/profile', headers: { cookie: `connect.sid=${ca.value}` } });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().email, ADMIN.email);
    assert.equal(me.json().role, 'admin');
  });

  it('logout ends the session', async () => {
    const t = app();
    const a = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: ADMIN });
    const cookie = `connect.sid=${a.cookies.find((c) => c.name === 'connect.sid')!.value}`;
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/mind/profile', headers: { cookie } })).statusCode, 401);
  });

  it('API keys: minted once, stored hashed, listed without the key, revoked at once', async () => {
    const t = app();
    const minted = await t.call('POST', '/api/mind/jwt/1', { name: 'crm' });
    assert.equal(minted.statusCode, 200);
    const token: string = minted.json().token;
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');
    const rows = await t.ctx.db.kysely.selectFrom('api_keys').selectAll().execute();
    assert.ok(rows.every((r) => r.token_hash !== token && !JSON.stringify(r).includes(token)));
    const list = (await t.call('GET', '/api/mind/jwt/1/keys')).json();
    const key = list.keys.find((k: { id: number }) => k.id === minted.json().id);
    assert.equal(key.lastChars, token.slice(-6));
    assert.ok(!JSON.stringify(list).includes(token));
    assert.ok(key.expiresAt - key.createdAt >= 364 * 86400);
    const use = () => t.app.inject({ method: 'GET', url: '/api/mind/profile', headers: { authorization: `Bearer ${token}` } });
    assert.equal((await use()).statusCode, 200);
    assert.equal((await t.call('DELETE', `/api/mind/jwt/1/keys/${key.id}`)).statusCode, 200);
    assert.equal((await use()).statusCode, 401);
  });

  it('an expired key is refused', async () => {
    const t = app();
    const minted = (await t.call('POST', '/api/mind/jwt/1', { name: 'old' })).json();
    await t.ctx.db.kysely.updateTable('api_keys').set({ expires_at: Math.floor(Date.now() / 1000) - 1 }).where('id', '=', minted.id).execute();
    const res = await t.app.inject({ method: 'GET', url: '/api/mind/profile', headers: { authorization: `Bearer ${minted.token}` } });
    assert.equal(res.statusCode, 401);
  });

  it('agents cannot manage settings, profiles or keys of others', async () => {
    const t = app();
    const created = await t.call('POST', '/api/mind/profile', { email: 'agent@test.local', name: 'Agent', password: 'agent-password-1', role: 'agent' });
    assert.equal(created.statusCode, 200, created.body);
    const agentId = created.json().id;
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'agent@test.local', password: 'agent-password-1' } });
    const cookie = `connect.sid=${login.cookies.find((c) => c.name === 'connect.sid')!.value}`;
    const as = (method: string, url: string, payload?: object) => t.app.inject({ method: method as 'GET', url, payload, headers: { cookie } });
    assert.equal((await as('POST', '/api/mind/settings/subchannel', { channel: 'email', name: 'x' })).statusCode, 403);
    assert.equal((await as('POST', '/api/mind/profile', { email: 'z@test.local', name: 'Z' })).statusCode, 403);
    assert.equal((await as('POST', '/api/mind/jwt/1', { name: 'steal' })).statusCode, 403);
    assert.equal((await as('GET', '/api/mind/jwt/1/keys')).statusCode, 403);
    assert.equal((await as('PATCH', `/api/mind/profile/${agentId}`, { role: 'admin' })).statusCode, 403);
    // …but they work tickets and manage their own keys.
    assert.equal((await as('POST', `/api/mind/jwt/${agentId}`, { name: 'mine' })).statusCode, 200);
    const ticket = await as('POST', '/api/mind/ticket', { channel: 'chat', body: 'hi' });
    assert.equal(ticket.statusCode, 200, ticket.body);
    const err = (await as('POST', '/api/mind/tag', { name: 'x' })).json();
    assert.equal(err.error.code, 'forbidden');
  });
});

for (const kind of databases()) {
  it(`sessions and keys survive a restart; bootstrap is idempotent [${kind}]`, async () => {
    const first = await startApp(kind);
    const key = (await first.call('POST', '/api/mind/jwt/1', { name: 'k' })).json().token;
    const pgUrl = first.ctx.config.DATABASE_URL || undefined;
    await first.app.close();
    const second = await startApp(kind, {}, { dataDir: first.dataDir, pgUrl });
    try {
      const bySession = await second.app.inject({ method: 'GET', url: '/api/mind/profile', headers: { cookie: first.cookie } });
      assert.equal(bySession.statusCode, 200, 'the old session still works');
      const byKey = await second.app.inject({ method: 'GET', url: '/api/mind/profile', headers: { authorization: `Bearer ${key}` } });
      assert.equal(byKey.statusCode, 200);
      const k = second.ctx.db.kysely;
      assert.equal((await k.selectFrom('agents').select('id').where('role', '=', 'admin').execute()).length, 1);
      assert.equal((await k.selectFrom('subchannels').select('id').execute()).length, 7);
      assert.equal((await k.selectFrom('channels').select('name').execute()).length, 7);
      const agents = (await second.call('GET', '/api/mind/aiAgents')).json().aiAgents;
      assert.ok(agents.length >= 8);
    } finally {
      await second.close();
      await first.close().catch(() => {});
    }
  });
}
