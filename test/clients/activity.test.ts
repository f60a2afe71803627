import { it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describeEachDb } from '../helpers/suite.js';
import type { TestApp } from '../helpers/app.js';
import { createProfile } from '../../src/agents/profiles.js';
import { mintApiKey } from '../../src/auth/apiKeys.js';
import { Receiver } from '../hooks/receiver.js';

interface Entry { id: string; at: number; type: string; actor: { type: string; id: number | null; name: string | null }; summary: string; details: Record<string, unknown>; technical: boolean }

async function activity(t: TestApp, ticketId: number, query = ''): Promise<Entry[]> {
  const res = await t.call('GET', `/api/mind/ticket/${ticketId}/activity${query}`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().activities as Entry[];
}

describeEachDb('ticket activity timeline', (app) => {
  it('messages, AI phases with outcome, field changes with their author, hook deliveries, in order', async () => {
    const t = app();
    const receiver = await Receiver.start();
    const hook = await t.call('POST', '/api/mind/settings/event-hook', { url: receiver.url(), eventTypes: ['TicketCreated', 'TicketUpdated'], secret: 'activity-secret-1' });
    try {
      assert.equal(hook.statusCode, 200, hook.body);
      const created = await t.call('POST', '/api/mind/ticket?process=batch', { channel: 'email', from: 'anna@kunde.example', fromName: 'Anna', subject: 'Zählerstand', body: '<p>Mein Zählerstand beträgt 12.345,6 kWh. Zählernummer 1ESY1160123456.</p>' });
      const ticketId = created.json().id as number;
      await t.services.jobRunner!.drainOnce();
      assert.equal((await t.call('PATCH', `/api/mind/ticket/${ticketId}`, { priority: 'high' })).statusCode, 200);
      await t.services.hookDispatcher.settled();
      await t.services.jobRunner!.drainOnce();

      const list = await activity(t, ticketId);
      const types = list.map((e) => e.type);
      assert.equal(types[0], 'messageReceived');
      assert.equal(list[0]!.actor.type, 'customer');
      assert.equal(list[0]!.actor.name, 'Anna');
      for (const type of ['aiLanguage', 'aiIntents', 'aiExtraction', 'ticketCreated', 'ticketUpdated', 'hookDelivery']) assert.ok(types.includes(type), `${type} in ${types.join(', ')}`);
      const at = list.map((e) => e.at);
      assert.deepEqual(at, [...at].sort((a, b) => a - b), 'oldest first');
      assert.ok(types.indexOf('messageReceived') < types.indexOf('aiIntents'));
      const lang = list.find((e) => e.type === 'aiLanguage')!;
      assert.equal(lang.details.language, 'de');
      const intents = list.find((e) => e.type === 'aiIntents')!;
      const meter = (intents.details.intents as Array<{ code: string; confidence: number }>).find((i) => i.code === 'ai_agent_meter_reading');
      assert.ok(meter && meter.confidence > 0 && meter.confidence <= 1, JSON.stringify(intents.details));
      assert.equal((list.find((e) => e.type === 'aiExtraction')!.details.parameters as Record<string, unknown>).meterValue, 12345.6);
      const change = list.find((e) => e.type === 'ticketUpdated')!;
      assert.deepEqual(change.actor, { type: 'agent', id: 1, name: change.actor.name });
      assert.equal(typeof change.actor.name, 'string');
      assert.match(change.summary, /priority → high/);
      const delivery = list.filter((e) => e.type === 'hookDelivery');
      assert.ok(delivery.some((d) => d.details.eventType === 'TicketUpdated' && d.details.status === 'delivered'), JSON.stringify(delivery));
      assert.ok(list.every((e) => !e.technical), 'no technical records by default');
      assert.ok(!types.includes('conversationStored') && !types.includes('aiRun') && !types.includes('job'));

      const full = await activity(t, ticketId, '?showTechnicalInformation=true');
      const ftypes = full.map((e) => e.type);
      // graphile-worker deletes a completed job: on PostgreSQL only unfinished jobs are in the timeline.
      for (const type of ['conversationStored', 'aiRun', ...(t.kind === 'sqlite' ? ['job'] : []), 'hookDeliveryAttempt']) assert.ok(ftypes.includes(type), `${type} in ${ftypes.join(', ')}`);
      const run = full.find((e) => e.type === 'aiRun')!;
      assert.equal(run.details.provider, 'offline');
      assert.equal(typeof (run.details.steps as Record<string, number>).intents, 'number');
      assert.ok(full.length > list.length);

      assert.equal((await activity(t, ticketId, '?limit=2')).length, 2);
    } finally {
      if (hook.statusCode === 200) await t.call('DELETE', `/api/mind/settings/event-hook/${hook.json().id}`);
      await receiver.close();
    }
  });

  it('showTechnicalInformation is for admins (403); unknown ticket 404; bad flag 400', async () => {
    const t = app();
    const created = await t.call('POST', '/api/mind/ticket?process=false', { channel: 'email', body: '<p>Hallo</p>' });
    const ticketId = created.json().id as number;
    const id = await createProfile(t.ctx.db, { email: `agent-${crypto.randomBytes(3).toString('hex')}@test.local`, name: 'A', password: 'agent-password-1' });
    const { token } = await mintApiKey(t.ctx.db.kysely, { agentId: id, name: 'a', ttlDays: 1, secret: t.ctx.secrets.apiKey });
    const as = (url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    assert.equal((await as(`/api/mind/ticket/${ticketId}/activity`)).statusCode, 200);
    assert.equal((await as(`/api/mind/ticket/${ticketId}/activity?showTechnicalInformation=true`)).statusCode, 403);
    assert.equal((await as(`/api/mind/ticket/${ticketId}/activity?showTechnicalInformation=false`)).statusCode, 200);
    assert.equal((await t.call('GET', `/api/mind/ticket/${ticketId + 10_000}/activity`)).statusCode, 404);
    assert.equal((await t.call('GET', `/api/mind/ticket/${ticketId}/activity?showTechnicalInformation=maybe`)).statusCode, 400);
  });
}, { OUTBOUND_ALLOW_HOSTS: '127.0.0.1' });
