import type { Kysely, Transaction } from 'kysely';
import type { Database, JobRow } from '../db/schema.js';
import { claimLockSuffix, isUniqueViolation, type Db } from '../db/dialect.js';

// The embedded default's job queue: a `jobs` table in the same SQLite file, in the manner of
// graphile-worker (which runs the queue on PostgreSQL, see graphileQueue.ts): jobs are added
// inside the caller's transaction, claimed with a lease, retried with backoff, and a lease that
// runs out (the runner died) makes the job claimable again. Callers use queue.ts, not this file.

type Exec = Kysely<Database> | Transaction<Database>;

export interface EnqueueOptions {
  jobKey?: string;
  runAt?: number;
  maxAttempts: number;
  /** PostgreSQL only: jobs of one named queue run one at a time across all processes. */
  queueName?: string;
}

/** Adds a job inside the given transaction. A duplicate jobKey is a no-op (returns null). */
export async function sqliteEnqueue(db: Exec, task: string, payload: unknown, opts: EnqueueOptions): Promise<number | null> {
  const now = Date.now();
  const row = await db
    .insertInto('jobs')
    .values({ task, payload: JSON.stringify(payload), job_key: opts.jobKey ?? null, status: 'queued', attempts: 0, max_attempts: opts.maxAttempts, run_at: opts.runAt ?? now, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('job_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function claimJob(db: Db, runnerId: string, leaseMs: number): Promise<JobRow | null> {
  const now = Date.now();
  // Two narrow lookups instead of one OR: with the OR, SQLite collected and sorted every queued
  // row on each claim, so a backlog of 35k jobs cost ~10 ms of blocked event loop per job.
  // Each lookup below walks the (status, run_at) index and stops at its first row. A job whose
  // lease ran out (its runner died) goes first: it has waited longest.
  const expired = db.kysely.selectFrom('jobs').select('id')
    .where('status', '=', 'running').where('locked_until', '<', now)
    .orderBy('run_at').orderBy('id').limit(1).modifyEnd(claimLockSuffix(db.kind));
  const ready = db.kysely.selectFrom('jobs').select('id')
    .where('status', '=', 'queued').where('run_at', '<=', now)
    .orderBy('run_at').orderBy('id').limit(1).modifyEnd(claimLockSuffix(db.kind));
  for (const next of [expired, ready]) {
    try {
      const job = await db.kysely
        .updateTable('jobs')
        .set((eb) => ({
          status: 'running',
          attempts: eb('attempts', '+', 1),
          locked_until: now + leaseMs,
          locked_by: runnerId,
          updated_at: now,
        }))
        .where('id', '=', next)
        .returning(['id', 'task', 'payload', 'job_key', 'status', 'attempts', 'max_attempts', 'run_at', 'locked_until', 'locked_by', 'last_error', 'created_at', 'updated_at'])
        .executeTakeFirst();
      if (job) return job;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }
  return null;
}

export async function completeJob(db: Db, job: JobRow, runnerId: string): Promise<void> {
  await db.kysely
    .updateTable('jobs')
    .set({ status: 'done', locked_until: null, updated_at: Date.now() })
    .where('id', '=', job.id)
    .where('locked_by', '=', runnerId)
    .execute();
}

/** Exponential backoff with full jitter: ~1 s, 2 s, 4 s … capped at 10 minutes. */
export function backoffMs(attempt: number): number {
  const cap = Math.min(600_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + Math.random() * (cap / 2));
}

/**
 * Records a failed attempt. `retry` hands the job back for a given time instead of the backoff;
 * with `spendsAttempt: false` (a deferral) the claim that started this attempt is given back too.
 */
export async function failJob(db: Db, job: JobRow, runnerId: string, error: unknown, retry?: { afterMs: number; spendsAttempt: boolean }): Promise<'retry' | 'failed'> {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const final = job.attempts >= job.max_attempts && retry?.spendsAttempt !== false;
  const now = Date.now();
  const retryAfterMs = retry?.afterMs;
  await db.kysely
    .updateTable('jobs')
    .set({
      status: final ? 'failed' : 'queued',
      attempts: retry?.spendsAttempt === false ? Math.max(0, job.attempts - 1) : job.attempts,
      run_at: final ? job.run_at : now + (retryAfterMs ?? backoffMs(job.attempts)),
      locked_until: null,
      last_error: message.slice(0, 4000),
      updated_at: now,
    })
    .where('id', '=', job.id)
    .where('locked_by', '=', runnerId)
    .execute();
  return final ? 'failed' : 'retry';
}

export async function sqliteJobCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.kysely.selectFrom('jobs').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/**
 * Finished jobs (done, or failed after their last attempt) are only history once their results
 * are on the conversation; without pruning the queue table grows by a row per message forever.
 */
export async function sqlitePruneFinishedJobs(db: Kysely<Database>, retentionDays: number, now = Date.now()): Promise<number> {
  const res = await db.deleteFrom('jobs').where('status', 'in', ['done', 'failed']).where('updated_at', '<', now - retentionDays * 86_400_000).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** A queued job by key is no longer needed (its work was done elsewhere): mark it done. */
export async function sqliteFinishQueuedJob(db: Db, jobKey: string): Promise<void> {
  await db.kysely.updateTable('jobs').set({ status: 'done', updated_at: Date.now() }).where('job_key', '=', jobKey).where('status', '=', 'queued').execute();
}

/** A queued job by key should run now rather than at its scheduled time. */
export async function sqliteRunQueuedJobNow(db: Db, jobKey: string): Promise<void> {
  await db.kysely.updateTable('jobs').set({ run_at: Date.now() }).where('job_key', '=', jobKey).where('status', '=', 'queued').execute();
}

/**
 * Renews the lease of jobs this runner is still running (the heartbeat): a lease only has to
 * outlast one heartbeat interval, so a dead runner's jobs are claimable again within one lease
 * (30 s by default) instead of the whole run time a long lease had to allow for.
 */
export async function renewLeases(db: Db, runnerId: string, jobIds: number[], leaseMs: number): Promise<number> {
  if (jobIds.length === 0) return 0;
  const now = Date.now();
  const res = await db.kysely.updateTable('jobs').set({ locked_until: now + leaseMs })
    .where('id', 'in', jobIds).where('locked_by', '=', runnerId).where('status', '=', 'running')
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * SQLite has one process (npm run worker refuses to start there), so a running job held by a
 * runner id that is not alive in this process belongs to a process that died: it is queued again
 * at once instead of waiting out its lease. Its interrupted attempt still counts.
 */
export async function releaseJobsOfDeadRunners(db: Db, liveRunnerIds: string[]): Promise<number> {
  const now = Date.now();
  const res = await db.kysely.updateTable('jobs')
    .set({ status: 'queued', run_at: now, locked_until: null, locked_by: null, updated_at: now })
    .where('status', '=', 'running')
    .where((eb) => eb.or([eb('locked_by', 'is', null), eb('locked_by', 'not in', liveRunnerIds)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
