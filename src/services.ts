import type { AppContext } from './context.js';
import { JobRunner } from './jobs/runner.js';
import { buildTasks } from './jobs/tasks.js';
import { HookDispatcher } from './events/hooks/dispatcher.js';
import { pruneSettledDeliveries } from './events/hooks/hookStore.js';
import { pruneFinishedJobs } from './jobs/queue.js';
import { sweepIdempotencyKeys } from './http/idempotency.js';
import { sweepOrphanBlobs } from './attachments/sweep.js';
import { sweepExpiredSessions } from './auth/sessionStore.js';
import { MailFetcher } from './mail/mailFetcher.js';
import { eraseExpiredTickets, pruneTechnicalData } from './tickets/retention.js';

/**
 * The background services of a process: the job runner (if WORKER_ENABLED), the hook
 * dispatcher and the maintenance sweeps. Built stopped; start() and stop() run them.
 */
export interface BackgroundServices {
  /** null when this process runs no jobs (WORKER_ENABLED=false). */
  jobRunner: JobRunner | null;
  hookDispatcher: HookDispatcher;
  /** Fetches the mailboxes: on demand always (the webhook), in the background where the job runner runs. */
  mailFetcher: MailFetcher;
  start(): void;
  stop(): Promise<void>;
}

const MAINTENANCE_INTERVAL_MS = 10 * 60 * 1000;

export function buildServices(ctx: AppContext): BackgroundServices {
  const { config, db } = ctx;
  const jobRunner = config.WORKER_ENABLED
    ? new JobRunner(db, buildTasks(ctx), { concurrency: config.WORKER_CONCURRENCY, leaseMs: config.JOB_LEASE_SECONDS * 1000, logger: ctx.log.child({ component: 'jobRunner' }) })
    : null;
  const hookDispatcher = new HookDispatcher(ctx);
  const mailFetcher = new MailFetcher(ctx);
  let maintenance: NodeJS.Timeout | null = null;
  return {
    jobRunner,
    hookDispatcher,
    mailFetcher,
    start() {
      jobRunner?.start().catch((err) => ctx.log.error({ err }, 'the job runner did not start'));
      hookDispatcher.start();
      // Mail is fetched where jobs run: an API process started with WORKER_ENABLED=false leaves
      // it to the worker processes (the lease keeps one process per mailbox either way).
      if (jobRunner) mailFetcher.start();
      maintenance = setInterval(() => {
        Promise.all([
          sweepExpiredSessions(db.kysely),
          sweepIdempotencyKeys(ctx),
          sweepOrphanBlobs(ctx),
          pruneFinishedJobs(db, config.JOB_RETENTION_DAYS),
          pruneSettledDeliveries(db, config.HOOK_DELIVERY_RETENTION_DAYS),
          pruneTechnicalData(ctx),
          eraseExpiredTickets(ctx),
        ]).catch((err) => ctx.log.warn({ err }, 'maintenance failed'));
      }, MAINTENANCE_INTERVAL_MS);
      maintenance.unref();
    },
    async stop() {
      if (maintenance) clearInterval(maintenance);
      await mailFetcher.stop();
      await hookDispatcher.stop();
      await jobRunner?.stop();
    },
  };
}
