import type { AppContext } from '../context.js';
import type { TaskList } from './runner.js';
import type { Db } from '../db/dialect.js';
import { PROCESS_TASK } from '../conversations/insertConversation.js';
import { processConversation } from '../ai/pipeline.js';
import { HOOK_DELIVERY_TASK, hookDeliveryTask } from '../events/hooks/deliver.js';
import { nowSeconds } from '../time.js';
import { SEND_REPLY_TASK } from '../replies/delivery.js';
import { sendReplyTask } from '../replies/sendReply.js';
import { EXECUTE_INTENT_TASK, executeIntentTask } from '../automation/executeJob.js';
import { IDENTIFY_TASK, identifyTask } from '../automation/identifyJob.js';

/** Every task the job runner runs, keyed by the name it is enqueued with. */
export function buildTasks(ctx: AppContext): TaskList {
  return {
    [PROCESS_TASK]: async (payload: { conversationId: number }, job) => {
      if (job.attempts > 1) await supersedeInterruptedRuns(ctx.db, payload.conversationId);
      await processConversation(ctx, payload.conversationId);
    },
    [HOOK_DELIVERY_TASK]: hookDeliveryTask(ctx),
    [SEND_REPLY_TASK]: sendReplyTask(ctx),
    [EXECUTE_INTENT_TASK]: executeIntentTask(ctx),
    [IDENTIFY_TASK]: identifyTask(ctx),
  };
}

/**
 * A rerun of a conversation's job means the earlier attempt ended without recording its outcome
 * (its process died, or its lease ran out): the cortex run it started would show `running`
 * forever. A run still going in a live process (a realtime run past its budget) overwrites this
 * with its own outcome when it finishes, so marking it here loses nothing.
 */
async function supersedeInterruptedRuns(db: Db, conversationId: number): Promise<void> {
  await db.kysely.updateTable('cortex_requests')
    .set({ status: 'failed', error: 'interrupted: its job runner stopped before it finished; superseded by a rerun of the job', finished_at: nowSeconds() })
    .where('conversation_id', '=', conversationId).where('status', '=', 'running')
    .execute();
}
