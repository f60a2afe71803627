import type { FastifyBaseLogger } from 'fastify';

// What a task sees of the queue, the same on SQLite and PostgreSQL, so task code is written once.

/** The job a task runs: its id, key and how many attempts it has used (this one included). */
export interface RunningJob {
  id: number;
  task: string;
  job_key: string | null;
  attempts: number;
  max_attempts: number;
}

export type TaskHandler = (payload: any, job: RunningJob) => Promise<void>;
export type TaskList = Record<string, TaskHandler>;

/**
 * Thrown by a task to hand its job back to run again after `afterMs`. A deferral (a hook's 429
 * with Retry-After, its in-flight limit, a mailbox's send rate) spends no attempt; a task that
 * counts its own failures through the job's attempts (SMTP) sets `spendsAttempt`.
 */
export class RetryLater extends Error {
  readonly spendsAttempt: boolean;
  constructor(message: string, readonly afterMs: number, opts: { spendsAttempt?: boolean } = {}) {
    super(message);
    this.spendsAttempt = opts.spendsAttempt ?? false;
  }
}

/** Thrown by a task when retrying cannot help; the job fails at once. */
export class PermanentFailure extends Error {}

export interface RunnerOptions {
  concurrency: number;
  /**
   * How long a claim lasts without a heartbeat: after it, a job whose runner stopped beating
   * (its process died) runs again. Renewed every third of it while the job runs.
   */
  leaseMs: number;
  pollMs?: number;
  logger: FastifyBaseLogger;
}

/** A runner of one queue (SQLite's, or graphile-worker's); JobRunner picks one by database. */
export interface QueueRunner {
  readonly id: string;
  start(): Promise<void>;
  notify(): void;
  drainOnce(): Promise<number>;
  stop(): Promise<void>;
}

/** A job as the activity timeline and the tests see it, on either database. */
export interface JobSummary {
  id: number;
  task: string;
  job_key: string | null;
  /** PostgreSQL has no `done`: graphile-worker deletes a job when it completes. */
  status: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_by: string | null;
  run_at: number;
  created_at: number;
  updated_at: number;
}
