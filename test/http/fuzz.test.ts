import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, type TestApp } from '../helpers/app.js';
import { rowCounts } from '../helpers/rowCounts.js';

// Issue 11 item 10: hostile bodies on store, ticket create, ticket patch and search. Every answer
// is 2xx or a 4xx in the error shape, and a 4xx changes no row. Bounded runs; fast-check prints
// the seed and the shrunk counterexample on failure (rerun with FUZZ_SEED=<seed>).

const tables = ['tickets', 'conversations', 'events', 'jobs', 'attachments'] as const;
const counts = (t: TestApp) => rowCounts(t, tables);

const oddString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\u0000', '\uD800', 'a\uDC00b', '__proto__', 'constructor', 'toString', '<string>', '😀'.repeat(50), 'x'.repeat(70_000)),
);
const oddNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(2 ** 31, 2 ** 63, 1e30, -1, 0, 1.5, Number.MAX_SAFE_INTEGER));
const leaf = fc.oneof(oddString, oddNumber, fc.boolean(), fc.constant(null));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(oddString, tie('v'), { maxKeys: 4 })),
})).v;
const keys = ['body', 'bodyPlain', 'subject', 'from', 'to', 'ccEmails', 'intentIds', 'agentId', 'subchannelId', 'status', 'priority', 'dueBy', 'createdAt', 'rawData', 'sender', 'content', 'attachments', 'process', 'channel', 'tags', 'q', 'filters', 'limit', 'offset', 'toString', 'constructor'];
const body = fc.dictionary(fc.oneof(fc.constantFrom(...keys), oddString), value, { maxKeys: 6 });

// A method, the constructor and the prototype itself: what `table[key]` finds on Object.prototype.
const PROTOTYPE_NAMES = ['toString', 'constructor', '__proto__'];

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

describeEachDb('fuzzed bodies', (app) => {
  let ticketId: number;
  before(async () => {
    ticketId = await createTicket(app());
  });

  const targets: Array<[string, string, () => string]> = [
    ['store', 'POST', () => `/api/mind/ticket/${ticketId}/conversation/store?process=false`],
    ['ticket create', 'POST', () => '/api/mind/ticket?process=false'],
    ['ticket patch', 'PATCH', () => `/api/mind/ticket/${ticketId}`],
    ['search', 'POST', () => '/api/mind/ticket/search'],
  ];
  // The fuzzer's random seed found `{"status":"toString"}` → 500 (a constant table indexed by client
  // text found Object.prototype); this sweeps every such name through every field, every run.
  it('prototype names in every field: 2xx or a 4xx in the error shape that changes no row', async () => {
    const t = app();
    for (const [name, method, url] of targets) {
      for (const proto of PROTOTYPE_NAMES) {
        const payloads = [{ filters: [{ field: proto, value: proto, comparator: proto }], orderByField: proto }, ...keys.flatMap((key) => [{ [key]: proto }, { [key]: [proto] }])];
        for (const payload of payloads) {
          const before = await counts(t);
          const res = await t.app.inject({ method: method as 'POST', url: url(), headers: { cookie: t.cookie, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
          const what = `${name} ${JSON.stringify(payload)}: ${res.statusCode} ${res.body.slice(0, 200)}`;
          assert.ok(res.statusCode < 500, what);
          if (res.statusCode >= 400) {
            assert.equal(res.json().success, false, what);
            assert.equal(typeof res.json().error.message, 'string', what);
            assert.deepEqual(await counts(t), before, `a 4xx wrote nothing: ${what}`);
          }
        }
      }
    }
  });

  for (const [name, method, url] of targets) {
    it(`${name}: 2xx or a 4xx in the error shape that changes no row`, async () => {
      const t = app();
      await fc.assert(
        fc.asyncProperty(body, async (b) => {
          const before = await counts(t);
          const res = await t.app.inject({ method: method as 'POST', url: url(), headers: { cookie: t.cookie, 'content-type': 'application/json' }, payload: JSON.stringify(b) });
          assert.ok(res.statusCode < 500, `${res.statusCode} ${res.body.slice(0, 300)}`);
          if (res.statusCode >= 400) {
            const json = res.json();
            assert.equal(json.success, false);
            assert.equal(typeof json.error.code, 'string');
            assert.equal(typeof json.error.message, 'string');
            assert.deepEqual(await counts(t), before, 'a 4xx wrote nothing');
          }
        }),
        { numRuns: 40, seed, verbose: 1 },
      );
    });
  }
});
