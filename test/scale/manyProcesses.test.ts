import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN, TEST_INTENT_ENV, databases, noteSkippedPostgres, startApp, waitFor, type TestApp } from '../helpers/app.js';
import { freePort } from '../helpers/freePort.js';
import { jobsOf } from '../helpers/jobs.js';

// Two API processes on one PostgreSQL: the test's own app (listening on a real port) and a second
// `src/main.ts` child process. Neither runs jobs, so what is enqueued stays countable.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
noteSkippedPostgres();


async function startSecondProcess(t: TestApp) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env, LOG_LEVEL: 'silent', NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: t.ctx.config.DATABASE_URL,
      DATA_DIR: t.dataDir, WORKER_ENABLED: 'false', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
      ...TEST_INTENT_ENV,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => null))?.ok, 60_000, `the second process to listen (${stderr})`);
  return { base, stop: () => child.kill('SIGKILL') };
}

if (databases().includes('postgres')) {
  it('two API processes, one truth: sessions, key revocation, and 50 identical stores give one conversation, one event, one job [postgres]', async () => {
    const t = await startApp('postgres', { WORKER_ENABLED: 'false' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const first = `http://127.0.0.1:${(t.app.server.address() as net.AddressInfo).port}`;
    const second = await startSecondProcess(t);
    try {
      // A session made by one process is honoured by the other.
      const fromSecond = await fetch(`${second.base}/api/mind/ticket/search`, { method: 'POST', headers: { cookie: t.cookie, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(fromSecond.status, 200, 'the first process\'s session works on the second');

      // An API key minted on one process works on both, and its revocation holds on both at once.
      const minted = (await t.call('POST', '/api/mind/jwt/1', { name: 'crm' })).json();
      const bearer = { authorization: `Bearer ${minted.token}`, 'content-type': 'application/json' };
      for (const base of [first, second.base]) assert.equal((await fetch(`${base}/api/mind/settings/subchannel`, { headers: bearer })).status, 200);
      const ticketId = ((await (await fetch(`${first}/api/mind/ticket?process=batch`, { method: 'POST', headers: bearer, body: JSON.stringify({ channel: 'email', from: 'kunde@example.de', subject: 'Zähler', body: '<p>Hallo</p>' }) })).json()) as { id: number }).id;

      // 50 identical stores, one externalConversationId, spread over both processes at once.
      const body = JSON.stringify({ process: 'batch', direction: 'in', from: 'kunde@example.de', body: '<p>Mein Zählerstand ist 4711 kWh</p>', externalConversationId: 'crm-msg-1' });
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) =>
        fetch(`${i % 2 ? second.base : first}/api/mind/ticket/${ticketId}/conversation/store`, { method: 'POST', headers: bearer, body }).then(async (r) => ({ status: r.status, json: await r.json() as { conversationId: number; eventId: number } }))));
      assert.deepEqual([...new Set(answers.map((a) => a.status))], [200], JSON.stringify(answers.find((a) => a.status !== 200)));
      assert.equal(new Set(answers.map((a) => a.json.conversationId)).size, 1, 'every answer names the one conversation');
      assert.equal(new Set(answers.map((a) => a.json.eventId)).size, 1, 'and the one event');
      const k = t.ctx.db.kysely;
      const convs = await k.selectFrom('conversations').select('id').where('ticket_id', '=', ticketId).where('external_conversation_id', '=', 'crm-msg-1').execute();
      assert.equal(convs.length, 1);
      const events = await k.selectFrom('events').select('id').where('conversation_id', '=', convs[0]!.id).execute();
      assert.equal(events.length, 1);
      const jobs = await jobsOf(t, { key: `conversation:${convs[0]!.id}` });
      assert.equal(jobs.length, 1);

      // 20 ticket creates with one externalTicketId over both processes: one ticket.
      const create = JSON.stringify({ channel: 'email', from: 'kunde@example.de', subject: 'Umzug', body: '<p>Ich ziehe um</p>', externalTicketId: 'erp-77' });
      const created = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        fetch(`${i % 2 ? second.base : first}/api/mind/ticket?process=false`, { method: 'POST', headers: bearer, body: create }).then(async (r) => ({ status: r.status, id: ((await r.json()) as { id: number }).id }))));
      assert.deepEqual([...new Set(created.map((c) => c.status))], [200]);
      assert.equal(new Set(created.map((c) => c.id)).size, 1);
      assert.equal((await k.selectFrom('tickets').select('id').where('external_ticket_id', '=', 'erp-77').execute()).length, 1);

      // Idempotency-Key: the same key on both processes replays one answer.
      const idem = { ...bearer, 'idempotency-key': 'retry-1' };
      const note = JSON.stringify({ direction: 'internal', body: '<p>Rückruf vereinbart</p>', process: 'false' });
      const [a, b] = await Promise.all([first, second.base].map((base) => fetch(`${base}/api/mind/ticket/${ticketId}/conversation/store`, { method: 'POST', headers: idem, body: note }).then(async (r) => ({ status: r.status, json: await r.json() as { conversationId?: number } }))));
      const ok = [a!, b!].filter((r) => r.status === 200);
      assert.ok(ok.length >= 1, JSON.stringify([a, b]));
      assert.equal(new Set(ok.map((r) => r.json.conversationId)).size, 1, 'one conversation for one key');
      for (const r of [a!, b!].filter((x) => x.status !== 200)) assert.equal(r.status, 409, 'a concurrent duplicate is told to retry');
      assert.equal((await k.selectFrom('conversations').select('id').where('ticket_id', '=', ticketId).where('direction', '=', 'internal').execute()).length, 1);

      // Revoked on the first process: refused by the second at once.
      assert.equal((await t.call('DELETE', `/api/mind/jwt/1/keys/${minted.id}`)).statusCode, 200);
      for (const base of [first, second.base]) assert.equal((await fetch(`${base}/api/mind/settings/subchannel`, { headers: bearer })).status, 401, base);
    } finally {
      second.stop();
      await t.close();
    }
  });
}
