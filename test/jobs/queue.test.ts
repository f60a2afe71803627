import { it } from 'node:test';
import assert from 'node:assert/strict';
import { databases, startApp, waitFor } from '../helpers/app.js';
import { enqueueJob } from '../../src/jobs/queue.js';
import { JobRunner, RetryLater } from '../../src/jobs/runner.js';
import { jobsOf } from '../helpers/jobs.js';

for (const kind of databases()) {
  it(`a failing job is retried with backoff, then fails after its attempts with the error kept [${kind}]`, async () => {
    const t = await startApp(kind, { WORKER_ENABLED: 'false' });
    try {
      const calls: number[] = [];
      const worker = new JobRunner(t.ctx.db, {
        flaky: async () => {
          calls.push(Date.now());
          // RetryLater keeps the test fast; plain errors back off exponentially (covered by backoffMs).
          throw new RetryLater('receiver unreachable', 20, { spendsAttempt: true });
        },
        once: async () => {
          calls.push(-1);
        },
      }, { concurrency: 2, leaseMs: 60_000, pollMs: 20, logger: t.app.log });
      await enqueueJob(t.ctx.db.kysely, 'flaky', { n: 1 }, { maxAttempts: 3, jobKey: 'flaky-1' });
      const dup = await enqueueJob(t.ctx.db.kysely, 'flaky', { n: 1 }, { maxAttempts: 3, jobKey: 'flaky-1' });
      assert.equal(dup, null, 'a duplicate job key adds nothing');
      await enqueueJob(t.ctx.db.kysely, 'once', {}, { maxAttempts: 3 });
      worker.start();
      const job = await waitFor(async () => {
        const [j] = await jobsOf(t, { key: 'flaky-1' });
        return j?.status === 'failed' ? j : null;
      }, 10_000, 'the job to fail');
      await worker.stop();
      assert.equal(job.attempts, 3);
      assert.match(job.last_error ?? '', /receiver unreachable/);
      assert.equal(calls.filter((c) => c > 0).length, 3, 'never run after its last attempt');
      assert.equal(calls.filter((c) => c === -1).length, 1, 'a successful job runs once');
    } finally {
      await t.close();
    }
  });
}

for (const kind of databases()) {
  it(`HTTP is served while the worker drains a backlog [${kind}]`, async () => {
    const t = await startApp(kind, { WORKER_ENABLED: 'false' });
    try {
      const N = 3000;
      const db = t.ctx.db.kysely;
      await db.insertInto('jobs').values(Array.from({ length: N }, (_, i) => ({
        task: 'touch', payload: JSON.stringify({ i }), job_key: null, status: 'queued' as const, attempts: 0, max_attempts: 3, run_at: Date.now(), created_at: Date.now(), updated_at: Date.now(),
      }))).execute();
      const worker = new JobRunner(t.ctx.db, {
        // A job that only talks to the database, like most AI steps on SQLite.
        touch: async () => {
          await db.selectFrom('tickets').select('id').limit(1).execute();
        },
      }, { concurrency: 2, leaseMs: 60_000, pollMs: 1000, logger: t.app.log });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (t.app.server.address() as { port: number }).port;
      worker.start();
      // Not a timing assertion: with the event loop starved, the answer could only come after the
      // last job, so the backlog it reports would be empty.
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(res.status, 200);
      const left = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('task', '=', 'touch').where('status', '=', 'queued').executeTakeFirstOrThrow();
      await worker.stop();
      assert.ok(Number(left.n) > 0, `the request waited for the whole backlog (${left.n} jobs left)`);
    } finally {
      await t.close();
    }
  });
}
