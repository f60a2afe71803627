import type { Db } from '../db/dialect.js';
import { SqliteRunner } from './sqliteRunner.js';
import { GraphileRunner } from './graphileRunner.js';
import type { QueueRunner, RunnerOptions, TaskList } from './taskContract.js';

export { PermanentFailure, RetryLater, type RunnerOptions, type RunningJob, type TaskHandler, type TaskList } from './taskContract.js';

/**
 * The job runner of a process: SQLite's small queue, or graphile-worker on PostgreSQL. One
 * class for both, so services, the worker process and tests start, drain and stop it alike.
 */
export class JobRunner implements QueueRunner {
  private readonly impl: QueueRunner;

  constructor(db: Db, tasks: TaskList, opts: RunnerOptions) {
    this.impl = db.kind === 'postgres' ? new GraphileRunner(db, tasks, opts) : new SqliteRunner(db, tasks, opts);
  }

  get id(): string {
    return this.impl.id;
  }

  start(): Promise<void> {
    return this.impl.start();
  }

  /** Wakes an idle runner after this process enqueued (SQLite; graphile-worker listens itself). */
  notify(): void {
    this.impl.notify();
  }

  /** Runs every job ready now and waits for running ones, until none is left; returns how many ran. */
  drainOnce(): Promise<number> {
    return this.impl.drainOnce();
  }

  /** Stops taking jobs and waits for the running ones to finish. */
  stop(): Promise<void> {
    return this.impl.stop();
  }
}
