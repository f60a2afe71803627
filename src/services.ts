import type { AppContext } from './context.js';
import { JobWorker as JobRunner } from './jobs/worker.js';
import { buildTasks } from './jobs/tasks.js';
import { HookDispatcher } from './events/hooks/dispatcher.js';
import { pruneSettledDeliveries } from './events/hooks/hookStore.js';
import { pruneFinishedJobs } from './jobs/queue.js';
import { sweepIdempotencyKeys } from './http/idempotency.js';
import { sweepOrphanBlobs } from './attachments/sweep.js';
import { sweepExpiredSessions } from './auth/sessionStore.js';
import { eraseExpiredTickets, pruneTechnicalData } from './tickets/retention.js';

/**
 * The background services of a process: the job runner (if WORKER_ENABLED), the hook
 * dispatcher and the maintenance sweeps. Built stopped; start() and stop() run them.
 */
export interface BackgroundServices {
  /** null when this process runs no jobs (WORKER_ENABLED=false). */
  jobRunner: JobRunner | null;
  hookDispatcher: HookDispatcher;
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
  let maintenance: NodeJS.Timeout | null = null;
  return {
    jobRunner,
    hookDispatcher,
    start() {
      jobRunner?.start();
      hookDispatcher.start();
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
      await hookDispatcher.stop();
      await jobRunner?.stop();
    },
  };
}
