import http from 'node:http';
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket } from '../helpers/app.js';

// A stand-in for an OpenAI-compatible server: /v1/chat/completions answering a JSON object.
let server: http.Server;
let port = 0;
let mode: 'ok' | 'fail' = 'ok';
// Filled in once the stub listens; the suite's apps start after that.
const env: Record<string, string> = { AI_API_KEY: 'test-key', AI_MODEL: 'stub-model', AI_TIMEOUT_MS: '5000' };
const seen: Array<{ model: string; messages: Array<{ role: string; content: string }> }> = [];
before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions' || req.headers.authorization !== 'Bearer test-key') return void res.writeHead(404).end();
      seen.push(JSON.parse(body));
      if (mode === 'fail') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom"}}');
      const content = JSON.stringify({
        intents: [{ code: 'ai_agent_tariff_change', confidence: 0.92 }, { code: 'not_in_catalogue', confidence: 0.9 }],
        language: 'de', summary: 'Der Kunde möchte in einen Ökostromtarif wechseln.', replySuggestion: 'Gerne stellen wir Ihren Tarif um.',
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'stub-model',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
      }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  env.AI_BASE_URL = `http://127.0.0.1:${port}/v1`;
});
after(() => server.close());

describeEachDb('OpenAI-compatible LLM provider', (app) => {
  it('answers intents, a summary and a reply suggestion; codes outside the catalogue are dropped', async () => {
    mode = 'ok';
    const t = app();
    const ticketId = await createTicket(t);
    const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'realtime', body: 'Ich möchte in den Ökostromtarif wechseln.' });
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json().conversation;
    assert.deepEqual(c.intentIds, ['ai_agent_tariff_change']);
    const cortex = (await t.call('GET', `/api/mind/cortex/${c.cortexRequestId}`)).json().cortexRequest;
    assert.equal(cortex.provider, 'openai-compatible');
    assert.equal(cortex.model, 'stub-model');
    assert.equal(cortex.outputs.replySuggestion, 'Gerne stellen wir Ihren Tarif um.');
    assert.equal((await t.call('GET', `/api/mind/ticket/${ticketId}`)).json().summary, 'Der Kunde möchte in einen Ökostromtarif wechseln.');
    const last = seen.at(-1)!;
    assert.equal(last.model, 'stub-model');
    assert.match(last.messages[0]!.content, /ai_agent_meter_reading/, 'the catalogue goes into the prompt');
  });

  it('falls back to the offline provider when the LLM fails', async () => {
    mode = 'fail';
    const t = app();
    const ticketId = await createTicket(t);
    const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'realtime', body: 'Ich habe mein Passwort für das Kundenportal vergessen.' });
    const c = res.json().conversation;
    assert.ok(c.intentIds.includes('ai_agent_password_reset'), JSON.stringify(c.intentIds));
    const cortex = (await t.call('GET', `/api/mind/cortex/${c.cortexRequestId}`)).json().cortexRequest;
    assert.equal(cortex.provider, 'offline');
    assert.match(cortex.outputs.fallback, /LLM failed/);
  });
}, env);
