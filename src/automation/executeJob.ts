import type { AppContext } from '../context.js';
import type { TaskHandler } from '../jobs/runner.js';
import { RetryLater } from '../jobs/runner.js';
import { Conflict, Invalid, NotFound } from '../errors.js';
import { EXECUTE_INTENT_TASK, executeIntent } from './execute.js';
import { checkScheduleConfig } from './schedule.js';

export { EXECUTE_INTENT_TASK };

/**
 * The durable execution of a gated intent (jobKey intent-execute:{id}). The job's id is its claim,
 * so a rerun of the same job (its process died) resumes at once; a claim held by a manual run
 * makes it wait. An intent that is no longer ready (a person executed or changed it) is left alone.
 */
export function executeIntentTask(ctx: AppContext): TaskHandler {
  checkScheduleConfig(ctx.config);
  return async (payload: { intentId: number }, job) => {
    try {
      const res = await executeIntent(ctx, payload.intentId, { claimant: `job:${job.id}` });
      ctx.log.info({ intentId: payload.intentId, success: res.success, message: res.message }, 'intent executed');
    } catch (err) {
      if (err instanceof Conflict) throw new RetryLater(err.message, ctx.config.AUTOMATION_LEASE_SECONDS * 1000);
      if (err instanceof NotFound || err instanceof Invalid) {
        ctx.log.warn({ intentId: payload.intentId, err: err.message }, 'intent not executed');
        return;
      }
      throw err;
    }
  };
}
