import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { EnqueueOptions } from './sqliteQueue.js';
import type { JobSummary } from './taskContract.js';

// PostgreSQL's job queue is graphile-worker (0.17). Everything here goes through its documented
// SQL API — graphile_worker.add_job, complete_jobs, reschedule_jobs, permanently_fail_jobs,
// force_unlock_workers — and reads job state only from the `graphile_worker.jobs` view, which
// its docs offer for inspection (the `_private_*` tables are not touched). Callers use queue.ts.

type Exec = Kysely<Database> | Transaction<Database>;

/** The parts of a graphile-worker job that handing it back needs (its `Job` type has them all; its queue is read from the view). */
export interface GraphileJob {
  id: string;
  task_identifier: string;
  payload: unknown;
  key: string | null;
  attempts: number;
  max_attempts: number;
  priority: number;
}

const at = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * add_job in the caller's transaction. `unsafe_dedupe` gives the SQLite queue's rule: a job whose
 * key is taken (queued, running or failed) is not added again (returns null). The default
 * `replace` mode would instead add a second job beside a running one, and the same conversation
 * would be processed twice. A new job has revision 0; a deduped add_job bumps the existing one's.
 */
export async function graphileEnqueue(db: Exec, task: string, payload: unknown, opts: EnqueueOptions): Promise<number | null> {
  const { rows } = await sql<{ id: string; revision: number }>`
    select id, revision from graphile_worker.add_job(
      identifier => ${task}, payload => ${JSON.stringify(payload ?? {})}::json, queue_name => ${opts.queueName ?? null}::text,
      run_at => ${at(opts.runAt)}::timestamptz, max_attempts => ${opts.maxAttempts}::int, job_key => ${opts.jobKey ?? null}::text,
      job_key_mode => 'unsafe_dedupe')`.execute(db);
  const row = rows[0];
  return row && Number(row.revision) === 0 ? Number(row.id) : null;
}

/**
 * Hands a running job back to the queue to run again at `afterMs` (a deferral, or a retry at a
 * time the task chose): a copy is added with the same key in `replace` mode — for a locked job
 * graphile-worker then clears the running job's key and keeps it from retrying, so the copy is
 * the job from now on — and the copy is given the attempts already used (one fewer for a
 * deferral, which spends none). The caller then lets the running job complete. If the process
 * dies in between, the old job can only fail (no attempts left), never run twice.
 */
export async function graphileHandBack(db: Kysely<Database>, job: GraphileJob, afterMs: number, spendsAttempt: boolean): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const id = await addCopy(trx, job, Date.now() + Math.max(0, afterMs));
    const attempts = spendsAttempt ? job.attempts : Math.max(0, job.attempts - 1);
    await sql`select graphile_worker.reschedule_jobs(array[${id}]::bigint[], attempts => ${attempts}::int)`.execute(trx);
  });
}

/** Fails a running job for good (retrying cannot help): a failed copy replaces it, as above. */
export async function graphileFailForGood(db: Kysely<Database>, job: GraphileJob, message: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const id = await addCopy(trx, job, Date.now());
    await sql`select graphile_worker.permanently_fail_jobs(array[${id}]::bigint[], ${message.slice(0, 4000)}::text)`.execute(trx);
  });
}

async function addCopy(trx: Transaction<Database>, job: GraphileJob, runAt: number): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    select id from graphile_worker.add_job(
      identifier => ${job.task_identifier}, payload => ${JSON.stringify(job.payload ?? {})}::json, queue_name => (select queue_name from graphile_worker.jobs where id = ${job.id}::bigint),
      run_at => ${at(runAt)}::timestamptz, max_attempts => ${job.max_attempts}::int, job_key => ${job.key}::text,
      priority => ${job.priority}::int, job_key_mode => 'replace')`.execute(trx);
  return rows[0]!.id;
}

/** The view's jobs in our status words: graphile-worker deletes a job once it is done. */
const statusOf = sql<'queued' | 'running' | 'failed'>`case when locked_at is not null then 'running' when attempts >= max_attempts then 'failed' else 'queued' end`;

/** graphile-worker deletes a completed job: a job it still shows is never `done`. */
export type JobView = Omit<JobSummary, 'status'> & { status: Exclude<JobSummary['status'], 'done'> };

/** Jobs by key, key prefix or task, from the documented view. */
export async function graphileJobs(db: Exec, where: { keys?: string[]; keyPrefix?: string; task?: string }): Promise<JobView[]> {
  const conds = [sql`true`];
  if (where.keys) conds.push(where.keys.length ? sql`key = any(${where.keys}::text[])` : sql`false`);
  if (where.keyPrefix !== undefined) conds.push(sql`starts_with(key, ${where.keyPrefix}::text)`);
  if (where.task !== undefined) conds.push(sql`task_identifier = ${where.task}::text`);
  const { rows } = await sql<JobView>`
    select id::int as id, task_identifier as task, key as job_key, ${statusOf} as status, attempts, max_attempts, last_error, locked_by,
      (extract(epoch from run_at) * 1000)::bigint as run_at, (extract(epoch from created_at) * 1000)::bigint as created_at,
      (extract(epoch from updated_at) * 1000)::bigint as updated_at
    from graphile_worker.jobs where ${sql.join(conds, sql` and `)} order by id`.execute(db);
  return rows;
}

export async function graphileJobCounts(db: Exec): Promise<Record<string, number>> {
  const { rows } = await sql<{ status: string; n: number }>`select ${statusOf} as status, count(*)::int as n from graphile_worker.jobs group by 1`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Deletes jobs that are not running (complete_jobs leaves locked ones alone). */
export async function graphileDeleteJobs(db: Exec, ids: number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { rows } = await sql<{ id: string }>`select id from graphile_worker.complete_jobs(${ids}::bigint[])`.execute(db);
  return rows.length;
}

/** Failed jobs (no attempts left) last touched before the cutoff. */
export async function graphilePruneFailed(db: Exec, beforeMs: number): Promise<number> {
  const { rows } = await sql<{ id: string }>`
    select id from graphile_worker.complete_jobs(array(select id from graphile_worker.jobs
      where attempts >= max_attempts and locked_at is null and updated_at < ${at(beforeMs)}::timestamptz))`.execute(db);
  return rows.length;
}

export async function graphileRunNow(db: Exec, jobKey: string): Promise<void> {
  await sql`select graphile_worker.reschedule_jobs(array(select id from graphile_worker.jobs where key = ${jobKey}::text and locked_at is null and attempts < max_attempts), run_at => now())`.execute(db);
}

/** Finishes (deletes) a queued job by key; a running one is left to finish. */
export async function graphileFinishQueued(db: Exec, jobKey: string): Promise<void> {
  await sql`select graphile_worker.complete_jobs(array(select id from graphile_worker.jobs where key = ${jobKey}::text and locked_at is null and attempts < max_attempts))`.execute(db);
}

/**
 * graphile-worker 0.17 keeps a dead worker's jobs locked for 4 hours. Our workers record a
 * heartbeat (job_worker_heartbeats, migration 011); a job locked longer than the lease by a
 * worker with no fresh heartbeat belongs to a process that died, and force_unlock_workers (the
 * documented way to release a known-dead worker) makes it runnable again. Returns the workers
 * released.
 */
export async function releaseDeadWorkers(db: Exec, liveWorkerIds: string[], leaseMs: number): Promise<string[]> {
  const now = Date.now();
  if (liveWorkerIds.length) {
    await sql`insert into job_worker_heartbeats (worker_id, seen_at) select unnest(${liveWorkerIds}::text[]), ${now}::bigint
      on conflict (worker_id) do update set seen_at = excluded.seen_at`.execute(db);
  }
  const { rows } = await sql<{ locked_by: string }>`
    select distinct j.locked_by from graphile_worker.jobs j
    where j.locked_by is not null and j.locked_at < now() - make_interval(secs => ${leaseMs / 1000}::float8)
      and not exists (select 1 from job_worker_heartbeats h where h.worker_id = j.locked_by and h.seen_at > ${now - leaseMs}::bigint)`.execute(db);
  const dead = rows.map((r) => r.locked_by);
  if (dead.length) await sql`select graphile_worker.force_unlock_workers(${dead}::text[])`.execute(db);
  await sql`delete from job_worker_heartbeats where seen_at < ${now - 10 * leaseMs}::bigint`.execute(db);
  return dead;
}

/**
 * Whether a drain must wait: a job is locked by one of these workers (its completion not written
 * yet), or a job is ready to run and not locked. The second is another worker of this runner
 * taking it right now: its get_job has not committed, so the row shows neither locked nor gone,
 * and runOnce's own get_job skipped it (SKIP LOCKED). Seen as a drain returning before a reply's
 * send job ran, on a loaded machine.
 */
export async function drainMustWait(db: Exec, workerIds: string[]): Promise<boolean> {
  const { rows } = await sql`select 1 from graphile_worker.jobs
    where locked_by = any(${workerIds}::text[]) or (locked_at is null and run_at <= now() and attempts < max_attempts) limit 1`.execute(db);
  return rows.length > 0;
}
