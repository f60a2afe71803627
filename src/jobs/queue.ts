import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Db } from '../db/dialect.js';
import type { JobSummary } from './taskContract.js';
import { sqliteEnqueue, sqliteFinishQueuedJob, sqliteJobCounts, sqlitePruneFinishedJobs, sqliteRunQueuedJobNow, type EnqueueOptions } from './sqliteQueue.js';
import { graphileDeleteJobs, graphileEnqueue, graphileFinishQueued, graphileJobCounts, graphileJobs, graphilePruneFailed, graphileRunNow } from './graphileQueue.js';

// The one job-queue interface of the code base. SQLite: our small queue in the `jobs` table
// (sqliteQueue.ts). PostgreSQL: graphile-worker (graphileQueue.ts). Task code and call sites
// are written once against the functions below; nothing else reads or writes job state.

export type { EnqueueOptions };
type Exec = Kysely<Database> | Transaction<Database>;

// A transaction does not say which database it runs on, but its compiler does: PostgreSQL
// numbers parameters ($1), SQLite does not (?).
const onPostgres = (db: Exec): boolean => sql`${1}`.compile(db).sql === '$1';

/** Adds a job inside the given transaction (or on its own). A duplicate jobKey is a no-op (returns null). */
export async function enqueueJob(db: Exec, task: string, payload: unknown, opts: EnqueueOptions): Promise<number | null> {
  return onPostgres(db) ? graphileEnqueue(db, task, payload, opts) : sqliteEnqueue(db, task, payload, opts);
}

export type { JobSummary };

export async function listJobs(db: Db, where: { keys?: string[]; keyPrefix?: string; task?: string }): Promise<JobSummary[]> {
  if (db.kind === 'postgres') return graphileJobs(db.kysely, where);
  if (where.keys?.length === 0) return [];
  let q = db.kysely.selectFrom('jobs').select(['id', 'task', 'job_key', 'status', 'attempts', 'max_attempts', 'last_error', 'locked_by', 'run_at', 'created_at', 'updated_at']);
  if (where.keys) q = q.where('job_key', 'in', where.keys);
  // SQLite's LIKE with the prefix escaped: keys are ours (letters, digits, ':'), but stay exact.
  if (where.keyPrefix !== undefined) q = q.where(sql<boolean>`substr(job_key, 1, ${where.keyPrefix.length}) = ${where.keyPrefix}`);
  if (where.task !== undefined) q = q.where('task', '=', where.task);
  return q.orderBy('id').execute();
}

export async function jobCounts(db: Db): Promise<Record<string, number>> {
  return db.kind === 'postgres' ? graphileJobCounts(db.kysely) : sqliteJobCounts(db);
}

/**
 * Finished jobs are only history once their results are on the conversation; without pruning
 * the queue grows by a row per message forever. graphile-worker deletes done jobs itself; its
 * failed ones, and the old `jobs` table's history on a migrated PostgreSQL database, age out here.
 */
export async function pruneFinishedJobs(db: Db, retentionDays: number, now = Date.now()): Promise<number> {
  const legacy = await sqlitePruneFinishedJobs(db.kysely, retentionDays, now);
  return db.kind === 'postgres' ? legacy + (await graphilePruneFailed(db.kysely, now - retentionDays * 86_400_000)) : legacy;
}

/** A queued job by key is no longer needed (its work was done elsewhere): it is finished. */
export async function finishQueuedJob(db: Db, jobKey: string): Promise<void> {
  await (db.kind === 'postgres' ? graphileFinishQueued(db.kysely, jobKey) : sqliteFinishQueuedJob(db, jobKey));
}

/** A queued job by key should run now rather than at its scheduled time. */
export async function runQueuedJobNow(db: Db, jobKey: string): Promise<void> {
  await (db.kind === 'postgres' ? graphileRunNow(db.kysely, jobKey) : sqliteRunQueuedJobNow(db, jobKey));
}

/**
 * Deletes jobs by key or key prefix (GDPR erasure), inside the caller's transaction. A running
 * job is not deleted on PostgreSQL (graphile-worker will not delete a locked job); it finds its
 * rows gone and does nothing. Returns how many were deleted.
 */
export async function deleteJobs(db: Db, trx: Transaction<Database>, where: { keys: string[] } | { keyPrefix: string }): Promise<number> {
  if (db.kind === 'postgres') {
    const jobs = await graphileJobs(trx, where);
    return graphileDeleteJobs(trx, jobs.filter((j) => j.status !== 'running').map((j) => j.id));
  }
  let q = trx.deleteFrom('jobs');
  q = 'keys' in where
    ? q.where('job_key', 'in', where.keys.length ? where.keys : [''])
    : q.where(sql<boolean>`substr(job_key, 1, ${where.keyPrefix.length}) = ${where.keyPrefix}`);
  return Number((await q.executeTakeFirst()).numDeletedRows);
}

/**
 * Keyless jobs of a task whose JSON payload ends with `payloadSuffix`, in the `jobs` table: the
 * reply jobs enqueued before reply jobs had keys (SQLite's queue; on PostgreSQL, migration 011
 * gave the ones it moved a key).
 */
export async function deleteKeylessJobs(trx: Transaction<Database>, task: string, payloadSuffix: string): Promise<number> {
  const res = await trx.deleteFrom('jobs').where('task', '=', task).where('job_key', 'is', null).where('payload', 'like', `%${payloadSuffix}`).executeTakeFirst();
  return Number(res.numDeletedRows);
}
