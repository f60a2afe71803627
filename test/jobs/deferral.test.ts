import { it } from 'node:test';
import assert from 'node:assert/strict';
import { databases, startApp, waitFor } from '../helpers/app.js';
import { enqueueJob } from '../../src/jobs/queue.js';
import { JobRunner, RetryLater } from '../../src/jobs/runner.js';
import { jobStatus, jobsOf } from '../helpers/jobs.js';

for (const kind of databases()) {
  it(`a deferral hands the job back without spending an attempt [${kind}]`, async () => {
    const t = await startApp(kind, { WORKER_ENABLED: 'false' });
    const worker = new JobRunner(t.ctx.db, {
      deferred: async (_p, job) => {
        seen.push(job.attempts);
        if (seen.length < 5) throw new RetryLater('the receiver asked to wait', 0);
      },
    }, { concurrency: 1, leaseMs: 30_000, logger: t.app.log });
    const seen: number[] = [];
    try {
      // One attempt allowed: only deferrals that spend none can get it to its fifth run.
      await enqueueJob(t.ctx.db.kysely, 'deferred', {}, { jobKey: 'deferred-1', maxAttempts: 1 });
      await worker.drainOnce();
      assert.deepEqual(seen, [1, 1, 1, 1, 1], 'every run is its first attempt');
      assert.equal(await jobStatus(t, 'deferred-1'), 'done');
    } finally {
      await worker.stop();
      await t.close();
    }
  });
}

if (databases().includes('postgres')) {
  it('jobs of one named queue run one at a time across runners (processes) [postgres]', async () => {
    const t = await startApp('postgres', { WORKER_ENABLED: 'false' });
    let running = 0;
    let most = 0;
    let ran = 0;
    const tasks = {
      lane: async () => {
        running++;
        most = Math.max(most, running);
        // Yield to the other runner's pool, which would start a second job of the queue if it could.
        await new Promise((r) => setTimeout(r, 30));
        running--;
        ran++;
      },
    };
    const a = new JobRunner(t.ctx.db, tasks, { concurrency: 4, leaseMs: 30_000, pollMs: 50, logger: t.app.log });
    const b = new JobRunner(t.ctx.db, tasks, { concurrency: 4, leaseMs: 30_000, pollMs: 50, logger: t.app.log });
    try {
      for (let i = 0; i < 8; i++) await enqueueJob(t.ctx.db.kysely, 'lane', { i }, { maxAttempts: 3, queueName: 'hook:1:0' });
      await Promise.all([a.start(), b.start()]);
      // drainOnce leaves a queue that another runner holds to it: wait for the pools to finish.
      // A job's row goes once graphile-worker has recorded it done, just after the task returned.
      await waitFor(async () => ran === 8 && (await jobsOf(t, { task: 'lane' })).length === 0, 30_000, 'all jobs of the queue, done');
      assert.equal(most, 1, 'never two jobs of one queue at once');
      assert.deepEqual(await jobsOf(t, { task: 'lane' }), []);
    } finally {
      await a.stop();
      await b.stop();
      await t.close();
    }
  });
}
