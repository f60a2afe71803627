import type { AppContext } from '../context.js';
import { recordEvent } from '../events/eventLog.js';

/** Placeholder until the AI pipeline lands: records the customer-message events. */
export async function processConversation(ctx: AppContext, conversationId: number): Promise<void> {
  await ctx.db.kysely.transaction().execute(async (trx) => {
    const c = await trx.selectFrom('conversations').select(['id', 'ticket_id', 'direction', 'crm_notification_id', 'external_conversation_id']).where('id', '=', conversationId).executeTakeFirst();
    if (!c || c.direction !== 'in') return;
    const earlier = await trx.selectFrom('conversations').select('id').where('ticket_id', '=', c.ticket_id).where('direction', '=', 'in').where('id', '<', c.id).limit(1).executeTakeFirst();
    await recordEvent(trx, {
      type: earlier ? 'ticketResponse' : 'ticketCreated',
      ticketId: c.ticket_id,
      conversationId: c.id,
      data: { ticketId: c.ticket_id, conversationId: c.id, userId: null, crmNotificationId: c.crm_notification_id },
      createdBy: null,
    });
  });
}
