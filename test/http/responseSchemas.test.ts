import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, type TestApp } from '../helpers/app.js';

// Every route declares what it answers: the OpenAPI document (generated from the route schemas)
// must show a success schema and the shared error schema for each operation, and no route may
// escape the check by hiding from the document, except the few listed here (ops probes, the
// document itself, the docs page and its assets, /metrics). Response schemas do not depend on the
// database, so SQLite is enough.

const HIDDEN = new Set(['/healthz', '/readyz', '/api/mind/docs/open-api', '/docs', '/docs/', '/docs/json', '/docs/yaml', '/docs/static/*', '/docs/static/index.html', '/docs/static/swagger-initializer.js', '/metrics',
  // The inbox web app's pages and assets (src/http/webApp.ts): HTML and files, not API.
  '/', '/login', '/tickets', '/tickets/:id', '/admin', '/admin/:section', '/assets/*']);

type Operation = { responses?: Record<string, { content?: Record<string, { schema?: { type?: string; properties?: Record<string, unknown> } }> }> };

describe('response schemas', () => {
  let t: TestApp;
  before(async () => { t = await startApp('sqlite'); });
  after(async () => { await t?.close(); });

  it('every documented operation has a 2xx schema and the shared error schema', async () => {
    const doc = (await t.app.inject({ url: '/api/mind/docs/open-api' })).json() as { paths: Record<string, Record<string, Operation>> };
    const missing: string[] = [];
    let operations = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        operations++;
        const responses = op.responses ?? {};
        const ok = Object.entries(responses).find(([code]) => /^2\d\d$/.test(code));
        const okSchema = ok && Object.values(ok[1].content ?? {})[0]?.schema;
        if (!okSchema) missing.push(`${method.toUpperCase()} ${path}: no 2xx response schema`);
        for (const range of ['4XX', '5XX']) {
          const err = responses[range]?.content?.['application/json']?.schema;
          if (!err?.properties?.error || !err.properties.success) missing.push(`${method.toUpperCase()} ${path}: no ${range} error schema`);
        }
      }
    }
    assert.deepEqual(missing, []);
    assert.ok(operations >= 45, `${operations} operations documented`);
  });

  it('no route leaves the document unless it is one of the listed infrastructure routes', async () => {
    const doc = (await t.app.inject({ url: '/api/mind/docs/open-api' })).json() as { paths: Record<string, Record<string, unknown>> };
    // OpenAPI writes :id as {id}.
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`)));
    const hidden = t.app.routeAccess
      .filter((r) => r.method !== 'HEAD' && !documented.has(`${r.method} ${r.url}`))
      .map((r) => `${r.method} ${r.url}`)
      .filter((r) => !HIDDEN.has(r.slice(r.indexOf(' ') + 1)));
    assert.deepEqual(hidden, []);
  });
});
