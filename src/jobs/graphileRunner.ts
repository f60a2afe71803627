import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Logger, run, runOnce, type Runner, type Task, type TaskList as GraphileTaskList, type WorkerEvents } from 'graphile-worker';
import type { Db } from '../db/dialect.js';
import { graphileFailForGood, graphileHandBack, lockedBy, releaseDeadWorkers } from './graphileQueue.js';
import { PermanentFailure, RetryLater, type QueueRunner, type RunnerOptions, type TaskList } from './taskContract.js';

// The PostgreSQL job runner: graphile-worker's `run` with our task list, in any number of
// processes (the API processes unless WORKER_ENABLED=false, and `npm run worker`). Our tasks
// keep the SQLite queue's contract (taskContract.ts); the wrapper below maps RetryLater and
// PermanentFailure onto graphile-worker's documented SQL, and a heartbeat stands in for the
// lease that 0.17 lacks (a dead worker's jobs would otherwise stay locked for 4 hours).

export class GraphileRunner implements QueueRunner {
  readonly id = `gw-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  private runner: Runner | null = null;
  private starting: Promise<void> | null = null;
  private stopped = false;
  /** graphile-worker's worker ids alive in this runner (its pool, and drainOnce's runOnce). */
  private readonly workers = new Set<string>();
  /** Jobs the background pool runs now; drainOnce waits for them. */
  private readonly inflight = new Set<string>();
  private idleWaiters: Array<() => void> = [];
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly taskList: GraphileTaskList;
  private readonly logger: Logger;

  constructor(private readonly db: Db, tasks: TaskList, private readonly opts: RunnerOptions) {
    if (!db.pgPool) throw new Error('the graphile-worker runner needs a PostgreSQL database');
    this.taskList = Object.fromEntries(Object.entries(tasks).map(([name, handler]) => [name, this.wrap(handler)]));
    const log = opts.logger;
    // graphile-worker logs every completed job at info; ours are debug, as on SQLite.
    this.logger = new Logger((scope) => (level, message, meta) => {
      const fields = { scope, ...(meta?.error ? { err: meta.error } : {}) };
      if (level === 'error') log.warn(fields, message);
      else if (level === 'warning') log.warn(fields, message);
      else log.debug(fields, message);
    });
  }

  private wrap(handler: TaskList[string]): Task {
    return async (payload, helpers) => {
      const job = helpers.job;
      const running = { id: Number(job.id), task: job.task_identifier, job_key: job.key, attempts: job.attempts, max_attempts: job.max_attempts };
      try {
        await handler(payload, running);
      } catch (err) {
        const log = this.opts.logger.child({ jobId: running.id, task: running.task, attempt: running.attempts });
        if (err instanceof RetryLater && !(err.spendsAttempt && job.attempts >= job.max_attempts)) {
          await graphileHandBack(this.db.kysely, job, err.afterMs, err.spendsAttempt);
          log.warn({ err, afterMs: err.afterMs, spendsAttempt: err.spendsAttempt }, 'job handed back to run later');
          return;
        }
        if (err instanceof PermanentFailure) {
          await graphileFailForGood(this.db.kysely, job, `${err.name}: ${err.message}`);
          log.error({ err }, 'job failed');
          return;
        }
        throw err;
      }
    };
  }

  private events(onJobStart?: () => void): WorkerEvents {
    const events: WorkerEvents = new EventEmitter();
    events.on('worker:create', ({ worker }) => this.workers.add(worker.workerId));
    events.on('worker:release', ({ worker }) => this.workers.delete(worker.workerId));
    if (onJobStart) events.on('job:start', () => onJobStart());
    return events;
  }

  start(): Promise<void> {
    this.starting ??= (async () => {
      const events = this.events();
      events.on('job:start', ({ job }) => this.inflight.add(job.id));
      events.on('job:complete', ({ job }) => {
        this.inflight.delete(job.id);
        if (this.inflight.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
      this.heartbeat = setInterval(() => void this.beat(), Math.max(50, Math.floor(this.opts.leaseMs / 3)));
      this.heartbeat.unref();
      await this.beat();
      if (this.stopped) return;
      this.runner = await run({
        pgPool: this.db.pgPool!, taskList: this.taskList, concurrency: this.opts.concurrency,
        pollInterval: this.opts.pollMs ?? 1000, noHandleSignals: true, logger: this.logger, events,
      });
    })();
    return this.starting;
  }

  /** Our workers' heartbeat, and the release of the jobs of workers whose heartbeat stopped. */
  private async beat(): Promise<void> {
    try {
      const dead = await releaseDeadWorkers(this.db.kysely, [...this.workers, this.id], this.opts.leaseMs);
      if (dead.length) this.opts.logger.warn({ workers: dead }, 'released the jobs of job workers that stopped beating (their process died)');
    } catch (err) {
      if (!this.stopped) this.opts.logger.warn({ err }, 'job worker heartbeat failed; it is retried at the next beat');
    }
  }

  /** graphile-worker listens for new jobs itself (LISTEN/NOTIFY): nothing to wake. */
  notify(): void {}

  /**
   * Runs every job that is ready now, and waits for those already running, until none is left
   * (graphile-worker's runOnce, repeated): the same contract as on SQLite. Jobs scheduled for
   * later stay queued. Returns how many jobs it ran.
   */
  async drainOnce(): Promise<number> {
    let ran = 0;
    for (;;) {
      if (this.inflight.size > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
      let n = 0;
      await runOnce({ pgPool: this.db.pgPool!, taskList: this.taskList, noHandleSignals: true, logger: this.logger, events: this.events(() => n++) });
      ran += n;
      if (n > 0 || this.inflight.size > 0) continue;
      // graphile-worker writes a completion after it says so: wait until ours are written.
      if (!(await lockedBy(this.db.kysely, [...this.workers]))) return ran;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Stops taking jobs and lets running ones finish (graphile-worker's graceful shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting?.catch(() => undefined);
    await this.runner?.stop();
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
