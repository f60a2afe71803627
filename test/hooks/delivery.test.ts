import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket, waitFor, type TestApp } from '../helpers/app.js';
import { verifyDelivery } from '../../src/events/hooks/signature.js';
import { Receiver, type Responder } from './receiver.js';
import { jobStatus } from '../helpers/jobs.js';

const SECRET = 'delivery-test-secret-42';
const ENV = {
  OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
  HOOK_RETRY_BASE_MS: '50',
  HOOK_RETRY_MAX_MS: '2000',
  // Long enough that no attempt in these tests times out: the slow-receiver test holds a request
  // open until it lets it go.
  HOOK_TIMEOUT_MS: '30000',
  HOOK_MAX_ATTEMPTS: '5',
  HOOK_DISABLE_AFTER_FAILURES: '2',
  WORKER_CONCURRENCY: '3',
};

interface Attempt { attempt: number; status: string; responseCode: number | null; durationMs: number; error: string | null; startedAt: number; finishedAt: number; nextRetryAt: number | null }
interface Delivery { id: number; eventId: number; eventType: string; status: string; attemptCount: number; attempts: Attempt[] }

async function createHook(t: TestApp, url: string, eventTypes = ['ConversationStored']): Promise<number> {
  const res = await t.call('POST', '/api/mind/settings/event-hook', { url, eventTypes, secret: SECRET });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().id as number;
}

async function store(t: TestApp, ticketId: number, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { body: '<p>Zählerstand 1234</p>', process: false, ...extra });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().eventId as number;
}

async function deliveries(t: TestApp, hookId: number): Promise<Delivery[]> {
  const res = await t.call('GET', `/api/mind/settings/event-hook/${hookId}/deliveries`);
  assert.equal(res.statusCode, 200, res.body);
  return res.json().deliveries as Delivery[];
}

/**
 * Every event committed so far has its deliveries, and every job that is ready has run (retries in
 * backoff stay queued): what a receiver has got after this is all it will get for now.
 */
async function drained(t: TestApp): Promise<void> {
  await t.services.hookDispatcher.settled();
  await t.services.jobRunner!.drainOnce();
}

async function jobOf(t: TestApp, deliveryId: number) {
  return { status: await jobStatus(t, `hook-delivery:${deliveryId}`) };
}

async function settled(t: TestApp, hookId: number, eventId: number, timeoutMs = 10_000): Promise<Delivery> {
  return waitFor(async () => (await deliveries(t, hookId)).find((d) => d.eventId === eventId && d.status !== 'pending'), timeoutMs, `delivery of event ${eventId}`);
}

describeEachDb('event hook delivery', (app) => {
  async function withReceiver(respond: Responder, body: (r: Receiver, t: TestApp, ticketId: number) => Promise<void>, types?: string[]) {
    const t = app();
    const ticketId = await createTicket(t);
    const r = await Receiver.start(respond);
    const hookId = await createHook(t, r.url(), types);
    try {
      await body(r, t, ticketId);
    } finally {
      await t.call('DELETE', `/api/mind/settings/event-hook/${hookId}`);
      await r.close();
    }
    return hookId;
  }

  it('signs the event data, sent verbatim with the documented headers; crmNotificationId is echoed', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const r = await Receiver.start();
    const hookId = await createHook(t, r.url(), ['ConversationStored', 'TicketResponse']);
    const before = Math.floor(Date.now() / 1000);
    const eventId = await store(t, ticketId, { crmNotificationId: 'crm-4711', externalConversationId: 'ext-hook-1' });
    const d = await settled(t, hookId, eventId);
    assert.equal(d.status, 'delivered');
    const got = r.received.find((x) => x.headers['x-ticketmind-event-id'] === String(eventId));
    assert.ok(got, 'the receiver got the ConversationStored event');
    const h = got.headers;
    assert.equal(got.method, 'POST');
    assert.equal(h['content-type'], 'application/json');
    assert.match(String(h['user-agent']), /^ticketmind/);
    assert.equal(h['x-ticketmind-event'], 'ConversationStored');
    assert.equal(h['x-ticketmind-delivery'], String(d.id));
    const ts = Number(h['x-ticketmind-timestamp']);
    assert.ok(ts >= before - 1 && ts <= Date.now() / 1000 + 1);
    assert.match(String(h['x-ticketmind-signature']), /^sha256=[0-9a-f]{64}$/);
    assert.equal(verifyDelivery(SECRET, String(h['x-ticketmind-signature']), ts, got.body), true);
    assert.equal(verifyDelivery('another-secret-0000', String(h['x-ticketmind-signature']), ts, got.body), false);

    const row = await t.ctx.db.kysely.selectFrom('events').select('data').where('id', '=', eventId).executeTakeFirstOrThrow();
    assert.equal(got.body, row.data, 'the body is the stored event data, byte for byte');
    const { event } = (await t.call('GET', `/api/mind/event/${eventId}`)).json();
    assert.deepEqual(JSON.parse(got.body), event.data);
    assert.equal(JSON.parse(got.body).crmNotificationId, 'crm-4711');

    // The customer reply's TicketResponse carries it too (process=false fires it at once).
    const response = await waitFor(async () => r.received.find((x) => x.headers['x-ticketmind-event'] === 'TicketResponse'), 5000, 'TicketResponse');
    assert.equal(JSON.parse(response.body).crmNotificationId, 'crm-4711');
    assert.deepEqual(d.attempts.map((a) => [a.attempt, a.status, a.responseCode]), [[1, 'success', 200]]);
    await t.call('DELETE', `/api/mind/settings/event-hook/${hookId}`);
    await r.close();
  });

  it('retries a receiver that fails twice with 500, then records exactly one success after three attempts', async () => {
    await withReceiver((n) => ({ status: n < 2 ? 500 : 200 }), async (r, t, ticketId) => {
      const hookId = (await t.call('GET', '/api/mind/settings/event-hook')).json().eventHooks.at(-1).id as number;
      const eventId = await store(t, ticketId);
      const d = await settled(t, hookId, eventId);
      assert.equal(d.status, 'delivered');
      assert.deepEqual(d.attempts.map((a) => [a.attempt, a.status, a.responseCode]), [[1, 'retry', 500], [2, 'retry', 500], [3, 'success', 200]]);
      for (const a of d.attempts) {
        assert.equal(typeof a.durationMs, 'number');
        assert.equal(typeof a.startedAt, 'number');
        assert.equal(typeof a.finishedAt, 'number');
      }
      assert.equal(typeof d.attempts[0]!.nextRetryAt, 'number');
      assert.match(d.attempts[0]!.error ?? '', /HTTP 500/);
      assert.equal(d.attempts[2]!.nextRetryAt, null);
      await drained(t);
      assert.equal((await jobOf(t, d.id)).status, 'done', 'no retry is left queued');
      assert.equal(r.received.length, 3, 'nothing is sent after the success');
      assert.equal(new Set(r.received.map((x) => x.headers['x-ticketmind-delivery'])).size, 1, 'the delivery id is stable across retries');
      assert.equal(new Set(r.received.map((x) => x.body)).size, 1);
    });
  });

  it('stops at once on 410 Gone: one attempt, delivery failed', async () => {
    await withReceiver(() => ({ status: 410 }), async (r, t, ticketId) => {
      const hookId = (await t.call('GET', '/api/mind/settings/event-hook')).json().eventHooks.at(-1).id as number;
      const eventId = await store(t, ticketId);
      const d = await settled(t, hookId, eventId);
      assert.equal(d.status, 'failed');
      assert.deepEqual(d.attempts.map((a) => [a.attempt, a.status, a.responseCode]), [[1, 'failed', 410]]);
      await drained(t);
      assert.equal((await jobOf(t, d.id)).status, 'failed', 'the job failed for good: no retry is left queued');
      assert.equal(r.received.length, 1);
    });
  });

  it('honours Retry-After on 429', async () => {
    await withReceiver((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 }), async (r, t, ticketId) => {
      const hookId = (await t.call('GET', '/api/mind/settings/event-hook')).json().eventHooks.at(-1).id as number;
      const eventId = await store(t, ticketId);
      const d = await settled(t, hookId, eventId);
      assert.equal(d.status, 'delivered');
      assert.deepEqual(d.attempts.map((a) => [a.status, a.responseCode]), [['retry', 429], ['success', 204]]);
      const gap = r.received[1]!.at - r.received[0]!.at;
      assert.ok(gap >= 950, `waited ${gap} ms, not the 1 s the receiver asked for (the backoff alone would be ~50 ms)`);
    });
  });

  it('disables a hook after consecutive failed deliveries, with the reason shown', async () => {
    await withReceiver(() => ({ status: 404 }), async (r, t, ticketId) => {
      const hookId = (await t.call('GET', '/api/mind/settings/event-hook')).json().eventHooks.at(-1).id as number;
      await settled(t, hookId, await store(t, ticketId));
      await settled(t, hookId, await store(t, ticketId));
      const hook = (await t.call('GET', `/api/mind/settings/event-hook/${hookId}`)).json().eventHook;
      assert.equal(hook.enabled, false);
      assert.match(hook.disabledReason, /2 consecutive failed deliveries.*HTTP 404/);
      await store(t, ticketId);
      await drained(t);
      assert.equal(r.received.length, 2, 'a disabled hook gets nothing');
      assert.equal((await deliveries(t, hookId)).length, 2, 'not even a delivery row');
      const again = await t.call('PATCH', `/api/mind/settings/event-hook/${hookId}`, { enabled: true });
      assert.equal(again.statusCode, 200);
      const enabled = (await t.call('GET', `/api/mind/settings/event-hook/${hookId}`)).json().eventHook;
      assert.deepEqual([enabled.enabled, enabled.disabledReason, enabled.consecutiveFailures], [true, null, 0]);
      await drained(t);
      assert.equal(r.received.length, 2, 're-enabling does not replay what happened while disabled');
      assert.equal((await deliveries(t, hookId)).length, 2);
    });
  });

  it('keeps a slow, failing receiver from slowing the store or other hooks', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    // The first attempt fails fast (the hook now counts as struggling); every later request is
    // held open until the test lets it go.
    const slow = await Receiver.start((n) => (n === 0 ? { status: 503 } : { status: 503, until: gate }));
    const fast = await Receiver.start();
    const slowId = await createHook(t, slow.url());
    const fastId = await createHook(t, fast.url());
    try {
      const first = await store(t, ticketId);
      // The retry (the second request), not the first 503 while it is still being answered.
      await waitFor(async () => slow.received.length === 2 && slow.open === 1, 10_000, 'the retry held open by the slow receiver');
      const ids: number[] = [];
      for (let i = 0; i < 4; i++) {
        ids.push(await store(t, ticketId));
        assert.equal(slow.open, 1, 'the store answered while a receiver holds a delivery open');
      }
      for (const id of [first, ...ids]) assert.equal((await settled(t, fastId, id)).status, 'delivered');
      assert.equal(slow.open, 1, 'the other hook got everything while the slow one was still held');
      assert.equal(slow.maxOpen, 1, 'a struggling hook holds at most HOOK_MAX_IN_FLIGHT job slots');
      assert.equal(slow.received.length, 2, 'its other deliveries wait instead of piling up connections');
    } finally {
      release();
      await t.call('DELETE', `/api/mind/settings/event-hook/${slowId}`);
      await t.call('DELETE', `/api/mind/settings/event-hook/${fastId}`);
      await Promise.all([slow.close(), fast.close()]);
    }
  });
}, ENV);
