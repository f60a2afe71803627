import { it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeEachDb } from '../helpers/suite.js';
import { waitFor } from '../helpers/app.js';

// An AI run in flight when its ticket is erased: the run's row was written outside the erasing
// transaction, so the run must delete it itself. A stub LLM server (a third party) holds the run
// at a known point until the ticket is gone; then it answers 500 and the offline model finishes.
let release: () => void = () => {};
let held = 0;
const gate = { promise: Promise.resolve() };
const llm = http.createServer((req, res) => {
  req.resume();
  held++;
  void gate.promise.then(() => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"stub"}}'));
});
await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', () => resolve()));
llm.unref();
const port = (llm.address() as AddressInfo).port;

describeEachDb('erasure while an AI run is in flight', (app) => {
  it('the run finds its conversation gone and deletes its own cortex row', async () => {
    const t = app();
    gate.promise = new Promise<void>((resolve) => (release = resolve));
    const before = held;
    const created = await t.call('POST', '/api/mind/ticket?process=batch', { channel: 'email', from: 'race@kunde.example', body: '<p>Mein Zählerstand ist 4711 kWh.</p>' });
    assert.equal(created.statusCode, 200, created.body);
    const id = created.json().id as number;
    await waitFor(async () => held > before, 20_000, 'the AI run to call the LLM');
    const running = await t.ctx.db.kysely.selectFrom('cortex_requests').select(['id', 'status']).where('ticket_id', '=', id).execute();
    assert.deepEqual(running.map((r) => r.status), ['running'], 'the run has written its row');
    const res = await t.call('DELETE', `/api/mind/ticket/${id}`);
    assert.equal(res.statusCode, 200, res.body);
    release();
    await t.services.jobRunner!.drainOnce();
    const left = await t.ctx.db.kysely.selectFrom('cortex_requests').select('id').where('ticket_id', '=', id).execute();
    assert.deepEqual(left, [], 'no AI run of the erased ticket is left');
    const rows = await t.ctx.db.kysely.selectFrom('events').select('type').where('ticket_id', '=', id).execute();
    assert.deepEqual(rows.map((r) => r.type), ['ticketDeleted']);
  });
}, { AI_BASE_URL: `http://127.0.0.1:${port}/v1`, AI_TIMEOUT_MS: '60000', OUTBOUND_ALLOW_HOSTS: '127.0.0.1' });
