import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, type TestApp } from '../helpers/app.js';
import { rowCounts } from '../helpers/rowCounts.js';

// "Never a 500 for anything a client can send", for every route at once: each route the OpenAPI
// document lists gets hostile values in every body property and query parameter it declares,
// hostile path ids, a whole body of the wrong JSON type and each parameter twice. Every answer
// is 2xx or a 4xx in the error shape, and a 4xx writes no row.
// Nothing lists fields by hand, so a new route or field is swept the moment it is documented.
// (test/http/fuzz.test.ts fuzzes the four busiest bodies with random shapes as well.)

// What `table[key]` finds on Object.prototype (alone and in a list), a lone surrogate and NUL,
// numbers outside every column, and a string over most limits.
const HOSTILE: unknown[] = ['toString', '__proto__', ['toString'], '\uD800\u0000', -1, 2 ** 63, 'x'.repeat(70_000)];
// Ids that are no integer, out of every column, NUL, a percent-encoding that does not decode, one over the router's length limit.
const HOSTILE_IDS = ['toString', '__proto__', '0', '-1', '1.5', '99999999999999999999', '%00', '%E0%A4%A', '1'.repeat(150)];

// Routes this sweep leaves out, and why: logout ends the sweep's own session; these reach out
// to a mail server or a remote host (their own tests use stub servers; here a hostile host name
// would wait on DNS).
const SKIP = new Set(['POST /api/auth/logout', 'GET /api/web/remote-image', 'POST /api/mind/webhook/fetchEmails',
  'POST /api/mind/webhook/fetchEmails/{subchannelId}', 'POST /api/mind/settings/subchannel/{id}/test']);

const TABLES = ['tickets', 'conversations', 'events', 'jobs', 'attachments', 'tags', 'reply_templates', 'subchannels', 'agents', 'api_keys', 'event_hooks', 'ai_agents'] as const;
const counts = (t: TestApp) => rowCounts(t, TABLES);

interface Operation { method: string; path: string; body: string[]; query: string[] }

function operations(doc: { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { properties?: object } }> }; parameters?: Array<{ in: string; name: string }> }>> }): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({
    method: method.toUpperCase(),
    path,
    body: Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
    query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
  })));
}

describeEachDb('hostile values on every route', (app) => {
  let ids: Record<string, number>;
  before(async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const stored = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store?process=false`, { body: 'Hallo', direction: 'in' });
    assert.equal(stored.statusCode, 200, stored.body);
    ids = { ticketId, id: ticketId, conversationId: stored.json().conversationId as number };
  });

  it('every documented body property, query parameter and path id: 2xx or a 4xx in the error shape that writes nothing', async () => {
    const t = app();
    const ops = operations((await t.app.inject({ url: '/docs/json' })).json()).filter((o) => !SKIP.has(`${o.method} ${o.path}`));
    assert.ok(ops.length >= 60, `${ops.length} operations`);
    let calls = 0;
    let wrote = false;
    const send = async (op: Operation, url: string, payload?: unknown) => {
      // What an accepted request queued (the AI job of a store, say) runs now, not during the next one.
      if (wrote) await t.services.jobRunner!.drainOnce();
      const before = await counts(t);
      const res = await t.app.inject({
        method: op.method as 'POST', url, headers: { cookie: t.cookie, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
      });
      calls++;
      wrote = res.statusCode < 400;
      const what = `${op.method} ${url} ${payload === undefined ? '' : JSON.stringify(payload).slice(0, 120)}: ${res.statusCode} ${res.body.slice(0, 200)}`;
      assert.ok(res.statusCode < 500, what);
      if (res.statusCode >= 400) {
        assert.equal(res.json().success, false, what);
        assert.equal(typeof res.json().error.message, 'string', what);
        assert.deepEqual(await counts(t), before, `a 4xx wrote nothing: ${what}`);
      }
    };
    for (const op of ops) {
      // With the fixture's ids the route is reached; DELETE only with hostile ids, so the fixture stays.
      const real = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => String(ids[name] ?? 1));
      const withBody = op.method === 'GET' || op.method === 'DELETE' ? undefined : {};
      for (const id of HOSTILE_IDS) if (op.path.includes('{')) await send(op, op.path.replace(/\{\w+\}/g, id), withBody);
      if (op.method === 'DELETE') continue;
      // The whole body of the wrong JSON type.
      if (withBody) for (const whole of [[], 'x', 1, null]) await send(op, real, whole);
      // A parameter given twice reaches the route as an array unless something stops it.
      for (const name of op.query) await send(op, `${real}?${name}=1&${name}=2`, withBody);
      for (const value of HOSTILE) {
        for (const name of op.query) await send(op, `${real}?${new URLSearchParams({ [name]: typeof value === 'string' ? value : JSON.stringify(value) })}`, withBody);
        for (const name of op.body) await send(op, real, { [name]: value });
      }
    }
    assert.ok(calls > 1500, `${calls} calls`);
  });
});
