import crypto from 'node:crypto';
import type { Db } from '../db/dialect.js';
import type { JobRow } from '../db/schema.js';
import { claimJob, completeJob, failJob, releaseJobsOfDeadRunners, renewLeases } from './sqliteQueue.js';
import { Coalescer } from './coalescer.js';
import { PermanentFailure, RetryLater, type QueueRunner, type RunnerOptions, type TaskList } from './taskContract.js';

/** Runner ids alive in this process: on SQLite, every other holder of a job is dead. */
const liveRunners = new Set<string>();

// The SQLite job runner: runs queued jobs in this process (the API process). It polls the jobs table, and wakes at once when this process enqueues
// (notify), so an idle runner picks a new job up within milliseconds; other processes' jobs are
// seen on the next poll.
export class SqliteRunner implements QueueRunner {
  readonly id = `w-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  private running = 0;
  private stopped = true;
  private inflight = new Set<Promise<void>>();
  /** Ids of the jobs this runner runs now, for the heartbeat. */
  private readonly held = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private refillScheduled = false;
  private readonly rounds = new Coalescer(() => this.fill());

  constructor(private readonly db: Db, private readonly tasks: TaskList, private readonly opts: RunnerOptions) {}

  /**
   * Starts polling and the heartbeat. On SQLite it first queues again the jobs a dead process
   * held (see releaseJobsOfDeadRunners); on PostgreSQL their short leases run out instead.
   */
  async start(): Promise<void> {
    liveRunners.add(this.id);
    if (this.db.kind === 'sqlite') {
      const released = await releaseJobsOfDeadRunners(this.db, [...liveRunners]);
      if (released > 0) this.opts.logger.warn({ released }, 'queued again the jobs an earlier process was running when it stopped');
    }
    this.stopped = false;
    this.timer = setInterval(() => this.notify(), this.opts.pollMs ?? 1000);
    this.timer.unref();
    this.heartbeat = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.opts.leaseMs / 3)));
    this.heartbeat.unref();
    this.notify();
  }

  private async renew(): Promise<void> {
    try {
      await renewLeases(this.db, this.id, [...this.held], this.opts.leaseMs);
    } catch (err) {
      this.opts.logger.warn({ err }, 'job lease renewal failed; it is retried at the next heartbeat');
    }
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
        this.track(job);
      }
    } catch (err) {
      if (!this.stopped) this.opts.logger.error({ err }, 'job claim failed');
    }
  }

  private track(job: JobRow): Promise<void> {
    this.running++;
    this.held.add(job.id);
    const p = this.run(job).finally(() => {
      this.running--;
      this.held.delete(job.id);
      this.inflight.delete(p);
      if (!this.stopped) this.refillSoon();
    });
    this.inflight.add(p);
    return p;
  }

  /**
   * Runs every job that is ready now, and waits for those already running, until none is left
   * (graphile-worker's runOnce): tests assert on what happened after it instead of sleeping.
   * Jobs scheduled for later (retries in backoff) stay queued. Returns how many jobs it ran.
   */
  async drainOnce(): Promise<number> {
    let ran = 0;
    for (;;) {
      await this.rounds.settled();
      await Promise.allSettled([...this.inflight]);
      const job = await claimJob(this.db, this.id, this.opts.leaseMs);
      if (job) {
        ran++;
        await this.track(job);
      } else if (this.inflight.size === 0 && !this.rounds.busy) {
        return ran;
      }
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
      const retry = err instanceof RetryLater ? { afterMs: err.afterMs, spendsAttempt: err.spendsAttempt } : undefined;
      const outcome = await failJob(this.db, forced, this.id, err, retry).catch((e) => {
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
    if (this.heartbeat) clearInterval(this.heartbeat);
    liveRunners.delete(this.id);
  }
}
