import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createProfile } from '../../src/agents/profiles.js';
import { mintApiKey } from '../../src/auth/apiKeys.js';

// Walks every route the app registered (the auth plugin records each one as it is registered),
// anonymously, in every spelling the router might decode to the same route. Nothing here lists
// routes by hand: a new route is covered the moment it exists.

const PUBLIC = new Set(['/api/auth/login', '/api/auth/logout', '/api/mind/docs/open-api', '/healthz', '/readyz', '/docs', '/docs/', '/docs/json', '/docs/yaml', '/docs/static/*', '/docs/static/index.html', '/docs/static/swagger-initializer.js', '/metrics',
  // The inbox web app (src/http/webApp.ts): its page at its client-side paths, and its bundle.
  '/', '/login', '/tickets', '/tickets/:id', '/admin', '/admin/:section', '/assets/*']);

const hex = (c: string, upper: boolean) => {
  const h = c.charCodeAt(0).toString(16);
  return `%${upper ? h.toUpperCase() : h}`;
};

/** Concrete paths for a route pattern, and spellings of them that must reach the same route or none. */
function spellings(pattern: string): string[] {
  const path = pattern.replace(/:[A-Za-z]+/g, '1').replace(/\*$/, 'x');
  const encodeLetters = (upper: boolean, every: boolean) => {
    let first = true;
    return path.replace(/[a-z]/gi, (c) => {
      if (!every && !first) return c;
      first = false;
      return hex(c, upper);
    });
  };
  return [
    path,
    encodeLetters(false, false), // /%61pi/…
    encodeLetters(true, false),
    encodeLetters(false, true),
    encodeLetters(true, true), // %6D vs %6d
    `/${path}`, // double slash
    path.replace(/\//g, '//'),
    `${path}/`,
    `${path}?x=1`,
    path.toUpperCase(),
  ];
}

describeEachDb('every route is default-deny', (app) => {
  it('collects the registered routes, with their declared access', () => {
    const routes = app().app.routeAccess;
    assert.ok(routes.length >= 40, `found ${routes.length} routes`);
    const declaredPublic = routes.filter((r) => r.access === 'public').map((r) => r.url);
    for (const url of declaredPublic) assert.ok(PUBLIC.has(url), `${url} is public but not in the documented list`);
    for (const url of ['/api/auth/login', '/api/mind/docs/open-api', '/docs/json', '/healthz', '/readyz']) assert.ok(declaredPublic.includes(url), `${url} is public`);
    assert.ok(routes.some((r) => r.url === '/metrics' && r.access === 'metrics'));
    assert.ok(routes.some((r) => r.access === 'admin' && r.url === '/api/mind/settings/event-hook'));
  });

  it('anonymous calls to every non-public route are 401, however the URL is spelled', async () => {
    const t = app();
    const protectedRoutes = t.app.routeAccess.filter((r) => r.access === 'authenticated' || r.access === 'admin');
    assert.ok(protectedRoutes.length >= 40);
    let calls = 0;
    for (const route of protectedRoutes) {
      for (const url of spellings(route.url)) {
        for (const method of new Set(['GET', 'HEAD', route.method])) {
          const res = await t.app.inject({ method: method as 'GET', url, ...(method === 'GET' || method === 'HEAD' ? {} : { payload: {} }) });
          calls++;
          assert.equal(res.statusCode, 401, `${method} ${url} (route ${route.method} ${route.url}) answered ${res.statusCode} ${res.body.slice(0, 200)}`);
          if (method !== 'HEAD') assert.equal(res.json().error.code, 'unauthorized');
        }
      }
    }
    assert.ok(calls > 1000, `${calls} calls`);
  });

  it('public routes answer anonymously, the OpenAPI document alike at both URLs', async () => {
    const t = app();
    for (const url of ['/healthz', '/readyz', '/docs/', '/api/mind/docs/open-api', '/docs/json', '/%61pi/mind/docs/open-api', '/metrics']) {
      const res = await t.app.inject({ url });
      assert.equal(res.statusCode, 200, `${url}: ${res.statusCode}`);
    }
    const a = (await t.app.inject({ url: '/api/mind/docs/open-api' })).json();
    const b = (await t.app.inject({ url: '/docs/json' })).json();
    assert.deepEqual(Object.keys(a.paths).sort(), Object.keys(b.paths).sort());
    assert.deepEqual(a.paths['/api/auth/login'].post.security, [], 'the document marks login as needing no credentials');
    assert.ok(a.security.length > 0, 'every other operation inherits the global requirement');
  });

  it('admin routes declare it: an agent gets 403 from the hook, before the handler', async () => {
    const t = app();
    // Set up through the domain functions, not HTTP: under a loaded machine under-pressure may
    // answer 503 to an admin call, while the hook under test runs before it.
    const id = await createProfile(t.ctx.db, { email: 'walker@test.local', name: 'W', password: 'walker-password-1' });
    const { token: key } = await mintApiKey(t.ctx.db.kysely, { agentId: id, name: 'w', ttlDays: 1, secret: t.ctx.secrets.apiKey });
    for (const route of t.app.routeAccess.filter((r) => r.access === 'admin')) {
      const url = route.url.replace(/:[A-Za-z]+/g, '1');
      const res = await t.app.inject({ method: route.method as 'GET', url, headers: { authorization: `Bearer ${key}` }, ...(route.method === 'GET' || route.method === 'HEAD' ? {} : { payload: {} }) });
      assert.equal(res.statusCode, 403, `${route.method} ${url}: ${res.statusCode}`);
    }
  });
});

describeEachDb('metrics with METRICS_TOKEN', (app) => {
  it('needs the bearer token, compared exactly', async () => {
    const t = app();
    assert.equal((await t.app.inject({ url: '/metrics' })).statusCode, 401);
    assert.equal((await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token' } })).statusCode, 401);
    assert.equal((await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-secret-12345x' } })).statusCode, 401);
    assert.equal((await t.app.inject({ url: '/metrics', headers: { cookie: t.cookie } })).statusCode, 401, 'a session is not the metrics token');
    const ok = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-secret-12345' } });
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /http_request_duration_seconds/);
  });
}, { METRICS_TOKEN: 'metrics-secret-12345' });
