import crypto from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/dialect.js';
import type { JobRow } from '../db/schema.js';
import { claimJob, completeJob, failJob } from './queue.js';
import { Coalescer } from './coalescer.js';

export type TaskHandler = (payload: any, job: JobRow) => Promise<void>;
export type TaskList = Record<string, TaskHandler>;

/** Thrown by a task to ask for a retry at a given time (e.g. a 429 with Retry-After). */
export class RetryLater extends Error {
  constructor(message: string, readonly afterMs: number) {
    super(message);
  }
}

/** Thrown by a task when retrying cannot help; the job fails at once. */
export class PermanentFailure extends Error {}

export interface WorkerOptions {
  concurrency: number;
  leaseMs: number;
  pollMs?: number;
  logger: FastifyBaseLogger;
}

// Polls the jobs table, and wakes at once when this process enqueues (notify), so an idle
// worker picks a new job up within milliseconds; other processes' jobs are seen on the next poll.
export class JobWorker {
  readonly id = `w-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  private running = 0;
  private stopped = true;
  private inflight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private refillScheduled = false;
  private readonly rounds = new Coalescer(() => this.fill());

  constructor(private readonly db: Db, private readonly tasks: TaskList, private readonly opts: WorkerOptions) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.notify(), this.opts.pollMs ?? 1000);
    this.timer.unref();
    this.notify();
  }

  notify(): void {
    if (!this.stopped) void this.rounds.request();
  }

  /**
   * On SQLite every query resolves without I/O, so claim → run → complete → claim would be one
   * unbroken microtask chain: a backlog starved HTTP until it was drained (measured: a 35k-job
   * backlog held every request for ~2 minutes). The next claim waits for setImmediate, after the
   * event loop has served pending I/O. One pending immediate at most: one per finished job would
   * multiply, and the check phase that runs them all would grow without bound.
   */
  private refillSoon(): void {
    if (this.refillScheduled) return;
    this.refillScheduled = true;
    setImmediate(() => {
      this.refillScheduled = false;
      this.notify();
    });
  }

  private async fill(): Promise<void> {
    try {
      // Only the slots free now: a job that finishes while this round claims (on SQLite, within
      // the same microtask chain) is refilled by the next round, after I/O has had its turn.
      for (let free = this.opts.concurrency - this.running; free > 0 && !this.stopped; free--) {
        const job = await claimJob(this.db, this.id, this.opts.leaseMs);
        if (!job) break;
        this.running++;
        const p = this.run(job).finally(() => {
          this.running--;
          this.inflight.delete(p);
          this.refillSoon();
        });
        this.inflight.add(p);
      }
    } catch (err) {
      if (!this.stopped) this.opts.logger.error({ err }, 'job claim failed');
    }
  }

  private async run(job: JobRow): Promise<void> {
    const handler = this.tasks[job.task];
    const log = this.opts.logger.child({ jobId: job.id, task: job.task, attempt: job.attempts });
    const started = Date.now();
    try {
      if (!handler) throw new PermanentFailure(`no handler for task ${job.task}`);
      if (job.attempts > job.max_attempts) throw new PermanentFailure('lease expired on every attempt');
      await handler(JSON.parse(job.payload), job);
      await completeJob(this.db, job, this.id);
      log.debug({ ms: Date.now() - started }, 'job done');
    } catch (err) {
      const forced = err instanceof PermanentFailure ? { ...job, attempts: job.max_attempts } : job;
      const retryAfter = err instanceof RetryLater ? err.afterMs : undefined;
      const outcome = await failJob(this.db, forced, this.id, err, retryAfter).catch((e) => {
        log.error({ err: e }, 'could not record job failure');
        return 'retry' as const;
      });
      log[outcome === 'failed' ? 'error' : 'warn']({ err, ms: Date.now() - started }, outcome === 'failed' ? 'job failed' : 'job will retry');
    }
  }

  /** Stops claiming and waits for running jobs (their lease covers a hard kill instead). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.rounds.settled();
    await Promise.allSettled([...this.inflight]);
  }
}
