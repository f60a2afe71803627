import { sql } from 'kysely';
import { listJobs, type JobSummary } from '../../src/jobs/queue.js';
import type { TestApp } from './app.js';

// The one way tests read jobs, on either database (SQLite's jobs table, graphile-worker's jobs
// view on PostgreSQL), instead of SQL against a table that PostgreSQL no longer uses.

export type { JobSummary };

export interface JobFilter {
  key?: string;
  keyPrefix?: string;
  task?: string;
}

export function jobsOf(t: Pick<TestApp, 'ctx'>, where: JobFilter = {}): Promise<JobSummary[]> {
  return listJobs(t.ctx.db, { ...(where.key !== undefined ? { keys: [where.key] } : {}), ...(where.keyPrefix !== undefined ? { keyPrefix: where.keyPrefix } : {}), ...(where.task !== undefined ? { task: where.task } : {}) });
}

/**
 * The status of the job with this key. graphile-worker deletes a job when it completes, so on
 * PostgreSQL a key with no job left reads `done` (SQLite keeps the row as `done`).
 */
export async function jobStatus(t: Pick<TestApp, 'ctx' | 'kind'>, key: string): Promise<JobSummary['status'] | 'none'> {
  const [job] = await jobsOf(t, { key });
  if (job) return job.status;
  return t.kind === 'postgres' ? 'done' : 'none';
}

/** Jobs not finished yet (queued or running), optionally of one task. */
export async function openJobs(t: Pick<TestApp, 'ctx'>, task?: string): Promise<JobSummary[]> {
  return (await jobsOf(t, task === undefined ? {} : { task })).filter((j) => j.status === 'queued' || j.status === 'running');
}

/** The send jobs of one reply (their key names ticket and conversation, jobKeys.ts). */
export async function replyJobsOf(t: Pick<TestApp, 'ctx'>, conversationId: number): Promise<JobSummary[]> {
  return (await jobsOf(t, { task: 'sendReply' })).filter((j) => j.job_key?.split(':')[2] === String(conversationId));
}

/**
 * Makes the running jobs of a task claimable now, as if the lease of the process that died
 * holding them had run out: SQLite's lease column, or graphile-worker's documented
 * force_unlock_workers for the workers that hold them (what the heartbeat sweep does after a lease).
 */
export async function expireLeases(t: Pick<TestApp, 'ctx'>, task: string): Promise<void> {
  const db = t.ctx.db;
  if (db.kind === 'sqlite') {
    await db.kysely.updateTable('jobs').set({ locked_until: 0 }).where('task', '=', task).where('status', '=', 'running').execute();
    return;
  }
  const holders = [...new Set((await jobsOf(t, { task })).map((j) => j.locked_by).filter((w): w is string => w !== null))];
  if (holders.length) await sql`select graphile_worker.force_unlock_workers(${holders}::text[])`.execute(db.kysely);
}
