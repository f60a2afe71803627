import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';

describeEachDb('operations', (app) => {
  it('serves OpenAPI 3 from the route schemas, and the docs page', async () => {
    const t = app();
    const doc = await t.call('GET', '/api/mind/docs/open-api');
    assert.equal(doc.statusCode, 200);
    const json = doc.json();
    assert.match(json.openapi, /^3\./);
    const store = json.paths['/api/mind/ticket/{ticketId}/conversation/store'];
    assert.ok(store?.post?.requestBody, 'the store route is documented with its body');
    assert.ok(json.paths['/api/mind/ticket/search']);
    const page = await t.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger/i);
  });

  it('healthz, readyz, health, version, metrics; request ids echo', async () => {
    const t = app();
    assert.equal((await t.app.inject({ url: '/healthz' })).statusCode, 200);
    const ready = await t.app.inject({ url: '/readyz' });
    assert.equal(ready.json().status, 'ready');
    const health = await t.call('GET', '/api/mind/health');
    assert.equal(health.json().status, 'ok');
    assert.equal((await t.app.inject({ url: '/api/mind/health' })).statusCode, 401, 'mind routes need auth');
    assert.match((await t.call('GET', '/api/mind/version')).json().version, /^\d+\.\d+\.\d+/);
    const metrics = await t.app.inject({ url: '/metrics' });
    assert.match(metrics.body, /http_request_duration_seconds_bucket/);
    assert.doesNotMatch(metrics.body, /http_request_summary_seconds\{/, 'no per-process summary is observed');
    const rid = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-42' } });
    assert.equal(rid.headers['x-request-id'], 'abc-42');
    const nf = await t.call('GET', '/api/mind/nope');
    assert.equal(nf.statusCode, 404);
    assert.equal(nf.json().success, false);
  });
});
