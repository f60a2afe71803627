import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databases, startApp, waitFor, ADMIN, TEST_INTENT_ENV, type TestApp } from '../helpers/app.js';
import { claimJob } from '../../src/jobs/sqliteQueue.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { enqueueJob } from '../../src/jobs/queue.js';
import { buildTasks } from '../../src/jobs/tasks.js';
import { openJobs } from '../helpers/jobs.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function assertProcessedOnce(t: TestApp, conversationIds: number[]) {
  const k = t.ctx.db.kysely;
  await waitFor(async () => {
    return (await openJobs(t, 'processConversation')).length === 0;
  }, 60_000, 'all AI jobs to finish');
  for (const id of conversationIds) {
    const ok = await k.selectFrom('cortex_requests').select('id').where('conversation_id', '=', id).where('status', '=', 'success').execute();
    assert.equal(ok.length, 1, `conversation ${id} processed exactly once`);
    const ev = await k.selectFrom('events').select('id').where('conversation_id', '=', id).where('type', 'in', ['ticketCreated', 'ticketResponse']).execute();
    assert.equal(ev.length, 1, `conversation ${id}: one customer-message event`);
  }
}

// The SQLite queue's lease, claimed by hand. On PostgreSQL graphile-worker claims jobs; the
// kill -9 test below covers a dead worker there (the heartbeat sweep, graphileQueue.ts).
for (const kind of databases().filter((k) => k === 'sqlite')) {
  it(`a job whose worker died mid-job runs again after its lease and completes once [${kind}]`, async () => {
    const a = await startApp(kind, { WORKER_ENABLED: 'false' });
    const pgUrl = a.ctx.config.DATABASE_URL || undefined;
    const ticket = (await a.call('POST', '/api/mind/ticket?process=batch', { channel: 'email', body: 'Mein Zählerstand ist 4711.' })).json();
    const conv = (await a.call('GET', `/api/mind/ticket/${ticket.id}/conversation`)).json().conversations[0];
    // A worker claims the job and dies: its lease (50 ms) runs out with the job still "running".
    const claimed = await claimJob(a.ctx.db, 'worker-that-died', 50);
    assert.equal(claimed?.status, 'running');
    await a.app.close();
    const b = await startApp(kind, {}, { dataDir: a.dataDir, pgUrl });
    try {
      await assertProcessedOnce(b, [conv.id]);
      const job = await b.ctx.db.kysely.selectFrom('jobs').selectAll().where('job_key', '=', `conversation:${conv.id}`).executeTakeFirstOrThrow();
      assert.equal(job.status, 'done');
      assert.equal(job.attempts, 2);
    } finally {
      await b.close();
      await a.close().catch(() => {});
    }
  });

  it(`a restart runs the jobs a dead process held at once, and marks its interrupted cortex run failed [${kind}]`, async () => {
    const a = await startApp(kind, { WORKER_ENABLED: 'false' });
    const pgUrl = a.ctx.config.DATABASE_URL || undefined;
    const ticket = (await a.call('POST', '/api/mind/ticket?process=batch', { channel: 'email', body: 'Mein Zählerstand ist 4711.' })).json();
    const conv = (await a.call('GET', `/api/mind/ticket/${ticket.id}/conversation`)).json().conversations[0];
    // The dead process had claimed the job with a lease far in the future and started its run.
    const claimed = await claimJob(a.ctx.db, 'worker-of-a-killed-process', kind === 'sqlite' ? 3_600_000 : 50);
    assert.equal(claimed?.status, 'running');
    await a.ctx.db.kysely.insertInto('cortex_requests').values({ conversation_id: conv.id, ticket_id: ticket.id, mode: 'batch', provider: 'offline', model: 'x', status: 'running', inputs: '{}', steps: '{}', created_at: Math.floor(Date.now() / 1000) }).execute();
    await a.app.close();
    // On SQLite the lease is an hour: only the release at start can make it run now.
    const b = await startApp(kind, { WORKER_ENABLED: 'false' }, { dataDir: a.dataDir, pgUrl });
    const worker = new JobRunner(b.ctx.db, buildTasks(b.ctx), { concurrency: 2, leaseMs: 30_000, logger: b.app.log });
    try {
      await worker.start();
      await worker.drainOnce();
      const job = await b.ctx.db.kysely.selectFrom('jobs').selectAll().where('job_key', '=', `conversation:${conv.id}`).executeTakeFirstOrThrow();
      assert.deepEqual([job.status, job.attempts], ['done', 2]);
      const runs = await b.ctx.db.kysely.selectFrom('cortex_requests').select(['status', 'error']).where('conversation_id', '=', conv.id).orderBy('id').execute();
      assert.deepEqual(runs.map((r) => r.status), ['failed', 'success'], 'the interrupted run is failed, the rerun succeeded');
      assert.match(runs[0]!.error ?? '', /interrupted/);
      const ev = await b.ctx.db.kysely.selectFrom('events').select('id').where('conversation_id', '=', conv.id).where('type', '=', 'ticketCreated').execute();
      assert.equal(ev.length, 1);
    } finally {
      await worker.stop();
      await b.close();
      await a.close().catch(() => {});
    }
  });

  it(`a running job's lease is renewed by the heartbeat, so no other worker takes it while it runs [${kind}]`, async () => {
    const t = await startApp(kind, { WORKER_ENABLED: 'false' });
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const worker = new JobRunner(t.ctx.db, {
      slow: () => { started(); return new Promise<void>((r) => (release = r)); },
    }, { concurrency: 1, leaseMs: 1200, logger: t.app.log });
    try {
      await t.ctx.db.kysely.transaction().execute((trx) => enqueueJob(trx, 'slow', {}, { maxAttempts: 3 }));
      await worker.start();
      await running;
      const first = (await t.ctx.db.kysely.selectFrom('jobs').select('locked_until').where('task', '=', 'slow').executeTakeFirstOrThrow()).locked_until!;
      // Renewed a whole lease after the claim: without the heartbeat it would have run out by now.
      const renewed = await waitFor(async () => {
        const row = await t.ctx.db.kysely.selectFrom('jobs').select(['locked_until', 'status']).where('task', '=', 'slow').executeTakeFirstOrThrow();
        return row.locked_until! > first + 1200 ? row : null;
      }, 30_000, 'the lease to be renewed past its first end');
      assert.equal(renewed.status, 'running');
      assert.equal(await claimJob(t.ctx.db, 'another-worker', 1200), null, 'a live job is not claimable');
      release();
      await worker.drainOnce();
      const done = await t.ctx.db.kysely.selectFrom('jobs').select(['status', 'attempts', 'locked_until']).where('task', '=', 'slow').executeTakeFirstOrThrow();
      assert.deepEqual([done.status, done.attempts, done.locked_until], ['done', 1, null], 'ran once, never claimed again');
    } finally {
      release?.();
      await worker.stop();
      await t.close();
    }
  });
}

for (const kind of databases()) {
  it(`kill -9 of a serving process loses no job and processes each message once [${kind}]`, async () => {
    const seed = await startApp(kind, { WORKER_ENABLED: 'false' });
    const pgUrl = seed.ctx.config.DATABASE_URL || undefined;
    const ticketId = (await seed.call('POST', '/api/mind/ticket?process=false', { channel: 'email', body: 'x' })).json().id;
    await seed.app.close();
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), DATA_DIR: seed.dataDir, DATABASE_URL: pgUrl ?? '', LOG_LEVEL: 'silent', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0', ...TEST_INTENT_ENV, WORKER_CONCURRENCY: '2', JOB_LEASE_SECONDS: kind === 'sqlite' ? '3600' : '5' },
      stdio: 'ignore',
    });
    const base = `http://127.0.0.1:${port}`;
    let cookie = '';
    await waitFor(async () => {
      const r = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) }).catch(() => null);
      if (r?.status !== 200) return null;
      cookie = r.headers.get('set-cookie')!.split(';')[0]!;
      return true;
    }, 60_000, 'the child service');
    const ids: number[] = [];
    await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const r = await fetch(`${base}/api/mind/ticket/${ticketId}/conversation/store`, {
        method: 'POST', headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ process: 'batch', body: `Zählerstand ${1000 + i} kWh, bitte Abschlag anpassen.` }),
      });
      assert.equal(r.status, 200);
      ids.push(((await r.json()) as { conversationId: number }).conversationId);
    }));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const after = await startApp(kind, { JOB_LEASE_SECONDS: '5' }, { dataDir: seed.dataDir, pgUrl });
    try {
      // SQLite: the restart queues the killed process's jobs again at once (their hour-long lease
      // would otherwise hold them). PostgreSQL: they run again when the dead workers' heartbeat
      // is 5 s old (JOB_LEASE_SECONDS) and a live runner's sweep releases them.
      await assertProcessedOnce(after, ids);
    } finally {
      await after.close();
      await seed.close().catch(() => {});
      if (!pgUrl) fs.rmSync(seed.dataDir, { recursive: true, force: true });
    }
  });
}
