import type { AppContext } from '../context.js';
import type { TaskList } from './worker.js';
import { PROCESS_TASK } from '../conversations/insertConversation.js';
import { processConversation } from '../ai/pipeline.js';
import { HOOK_DELIVERY_TASK, hookDeliveryTask } from '../events/hooks/deliver.js';

/** Every task the worker runs, keyed by the name it is enqueued with. */
export function buildTasks(ctx: AppContext): TaskList {
  return {
    [PROCESS_TASK]: async (payload: { conversationId: number }) => {
      await processConversation(ctx, payload.conversationId);
    },
    [HOOK_DELIVERY_TASK]: hookDeliveryTask(ctx),
  };
}
