import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTicket, databases, dropTestResources, noteSkippedPostgres, startApp, waitFor, type TestApp } from '../helpers/app.js';
import { freePort, Receiver } from './receiver.js';

// A receiver that is down across a restart of the service: the delivery survives in the database
// (delivery row + queued job) and is made once the receiver is back — and never again after that.

const ENV = { OUTBOUND_ALLOW_HOSTS: '127.0.0.1', HOOK_RETRY_BASE_MS: '50', HOOK_RETRY_MAX_MS: '300', HOOK_MAX_ATTEMPTS: '100' };

async function deliveryOf(t: TestApp, hookId: number, eventId: number) {
  const res = await t.call('GET', `/api/mind/settings/event-hook/${hookId}/deliveries`);
  assert.equal(res.statusCode, 200, res.body);
  return (res.json().deliveries as Array<{ eventId: number; status: string; attempts: Array<{ status: string; responseCode: number | null; error: string | null }> }>)
    .find((d) => d.eventId === eventId);
}

noteSkippedPostgres();
for (const kind of databases()) {
  describe(`event hook delivery across a restart [${kind}]`, () => {
    it('delivers once the receiver is back, after the service restarted in between', async () => {
      const port = await freePort();
      const first = await startApp(kind, ENV);
      const reuse = { dataDir: first.dataDir, ...(kind === 'postgres' ? { pgUrl: first.ctx.config.DATABASE_URL } : {}) };
      const apps: TestApp[] = [first];
      let receiver: Receiver | null = null;
      try {
        const ticketId = await createTicket(first);
        const hook = await first.call('POST', '/api/mind/settings/event-hook', { url: `http://127.0.0.1:${port}/hook`, eventTypes: ['ConversationStored'], secret: 'restart-test-secret-1' });
        assert.equal(hook.statusCode, 200, hook.body);
        const hookId = hook.json().id as number;
        const stored = await first.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { body: '<p>while the receiver is down</p>', process: false, crmNotificationId: 'crm-restart' });
        const eventId = stored.json().eventId as number;
        await waitFor(async () => ((await deliveryOf(first, hookId, eventId))?.attempts.length ?? 0) >= 2, 60_000, 'failed attempts while down');
        const down = await deliveryOf(first, hookId, eventId);
        assert.equal(down?.status, 'pending');
        assert.ok(down?.attempts.every((a) => a.status === 'retry' && a.responseCode === null && /ECONNREFUSED/.test(a.error ?? '')));

        await first.app.close();
        const second = await startApp(kind, ENV, reuse);
        apps.push(second);
        receiver = await Receiver.start(() => ({ status: 200 }), '127.0.0.1', port);
        const done = await waitFor(async () => {
          const d = await deliveryOf(second, hookId, eventId);
          return d?.status === 'delivered' ? d : null;
        }, 60_000, 'delivery after the restart'); // a liveness bound: graphile-worker polls for the retry's run_at
        assert.equal(done.attempts.filter((a) => a.status === 'success').length, 1);
        assert.equal(done.attempts.at(-1)?.status, 'success');
        assert.equal(receiver.received.length, 1);
        assert.equal(JSON.parse(receiver.received[0]!.body).crmNotificationId, 'crm-restart');

        // Another restart must not send it again: the delivery row, not the job, is the truth.
        await second.app.close();
        const third = await startApp(kind, ENV, reuse);
        apps.push(third);
        // Every pass and every ready job of the restarted process has run.
        await third.services.hookDispatcher.settled();
        await third.services.jobRunner!.drainOnce();
        assert.equal(receiver.received.length, 1, 'never sent twice after a success');
        assert.equal((await deliveryOf(third, hookId, eventId))?.status, 'delivered');
      } finally {
        for (const a of apps.slice(1)) await a.close().catch(() => {});
        await receiver?.close();
        await first.app.close().catch(() => {});
        await dropTestResources(kind, reuse);
      }
    });
  });
}
