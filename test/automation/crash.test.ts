import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runServiceUntilItDies } from '../helpers/serviceProcess.js';
import { databases, dropTestResources, noteSkippedPostgres, startApp, type TestApp } from '../helpers/app.js';
import { CustomerSystem } from './customerSystem.js';
import { expireLeases, jobsOf } from '../helpers/jobs.js';

// "One action call, one answer" across kill -9: a real service process (src/main.ts) runs the
// pipeline on a meter-reading mail, the gate passes, the execution job calls the customer system
// and creates the reply, and the process kills itself with SIGKILL before recording that
// (AUTOMATION_TEST_KILL_AFTER_REPLY, honoured only with NODE_ENV=test). The restarted service
// reruns the job: the kept answer means no second call, the reply is found, not made again.

const SECRET = 'customer-system-secret-0123456789abcdef';
noteSkippedPostgres();


for (const kind of databases()) {
  describe(`dark processing across kill -9 between the reply and the outcome [${kind}]`, () => {
    it('the action was called once and one answer exists; after the restart the intent is executed', async () => {
      const cs = await CustomerSystem.start(SECRET);
      const env = { CUSTOMER_SYSTEM_URL: cs.url, CUSTOMER_SYSTEM_SECRET: SECRET, OUTBOUND_ALLOW_HOSTS: '127.0.0.1' };
      const first = await startApp(kind, { ...env, WORKER_ENABLED: 'false' });
      const reuse = { dataDir: first.dataDir, ...(kind === 'postgres' ? { pgUrl: first.ctx.config.DATABASE_URL } : {}) };
      let second: TestApp | null = null;
      try {
        const res = await first.call('POST', '/api/mind/ticket?process=batch', { channel: 'email', from: 'kunde@example.de', subject: 'Zählerstand', body: '<p>Guten Tag, mein Zählerstand ist 12.345 kWh.</p>' });
        assert.equal(res.statusCode, 200, res.body);
        const ticketId = res.json().id as number;
        await first.app.close();

        const died = await runServiceUntilItDies(reuse.dataDir, reuse.pgUrl ?? '', { AUTOMATION_TEST_KILL_AFTER_REPLY: 'true', CUSTOMER_SYSTEM_URL: cs.url, CUSTOMER_SYSTEM_SECRET: SECRET, OUTBOUND_ALLOW_HOSTS: '127.0.0.1' });
        assert.equal(died.signal, 'SIGKILL', `the service should have killed itself after the reply; exit ${died.code}: ${died.stderr}`);
        assert.equal(cs.actions().length, 1, 'the customer system was called before the process died');

        second = await startApp(kind, env, reuse);
        if (kind === 'postgres') {
          // On PostgreSQL the dead process's job comes back when its lease runs out; let it run out now.
          await expireLeases(second, 'executeIntent');
        }
        await second.services.jobRunner!.drainOnce();
        assert.equal(cs.actions().length, 1, 'not called a second time');
        const convs = (await second.call('GET', `/api/mind/ticket/${ticketId}/conversation`)).json().conversations as any[];
        assert.equal(convs.filter((c) => c.direction === 'out').length, 1, 'one answer');
        const intent = (await second.call('GET', `/api/mind/intent/byTicketId/${ticketId}`)).json().intents.find((i: any) => i.code === 'ai_agent_meter_reading');
        assert.equal(intent.status, 'executed');
        assert.equal(intent.outcome.success, true);
        assert.equal(intent.replyConversationId, convs.find((c) => c.direction === 'out').id);
        const jobs = await jobsOf(second, { task: 'executeIntent' });
        // graphile-worker deletes a completed job, with its attempt count; SQLite keeps the row.
        if (kind === 'sqlite') assert.deepEqual(jobs.map((j) => [j.status, j.attempts]), [['done', 2]], 'the killed attempt and the one that recorded the outcome');
        else assert.deepEqual(jobs, [], 'completed');
      } finally {
        await second?.app.close().catch(() => {});
        await first.app.close().catch(() => {});
        await cs.close();
        await dropTestResources(kind, reuse);
      }
    });
  });
}
