import type { AppContext } from '../context.js';
import type { Actor } from '../auth/actor.js';
import type { StoreBody } from '../http/schemas/conversation.js';
import { NotFound } from '../errors.js';
import { lockTicket } from '../tickets/readTickets.js';
import { prepareMessage } from './prepareMessage.js';
import { insertConversation, RepeatedExternalId } from './insertConversation.js';
import { loadConversation } from './readConversations.js';
import { serializeConversation } from './serialize.js';
import { storeAttachments } from '../attachments/storeAttachments.js';

/**
 * POST /api/mind/ticket/{ticketId}/conversation/store — the heart of the service.
 * Rules that need no database run first; attachment bytes are written before the transaction;
 * then one transaction writes conversation, attachments, ticket update, events and AI job.
 * A repeated externalConversationId on the ticket returns the first conversation unchanged.
 */
export async function storeConversation(ctx: AppContext, ticketId: number, input: StoreBody, actor: Actor, processQuery?: string) {
  const msg = await prepareMessage(input, processQuery, ctx.config.MESSAGE_BODY_MAX_CHARS);
  const { db, config } = ctx;

  // A repeat is found by the insert itself (RepeatedExternalId), which costs a new message
  // nothing. Only attachment bytes, written before the transaction, are worth a look first.
  if (msg.externalConversationId !== null && msg.attachments.length > 0) {
    const existing = await findByExternalId(ctx, ticketId, msg.externalConversationId);
    if (existing) return existing;
  }
  const files = await storeAttachments(ctx, msg.attachments, msg);

  let inserted;
  try {
    inserted = await db.writeTransaction(async (trx) => {
      const ticket = await lockTicket(trx, db.kind, ticketId);
      if (!ticket) throw new NotFound('ticket', ticketId, 'ticketId');
      return insertConversation(trx, ticket, msg, files, actor, {
        maxAttempts: config.JOB_MAX_ATTEMPTS,
        realtimeBudgetMs: config.REALTIME_BUDGET_MS,
      });
    });
  } catch (err) {
    // A repeated externalConversationId, sequential or concurrent: the unique index lets one win
    // (ON CONFLICT DO NOTHING waits for a concurrent insert of the same key to commit).
    if (err instanceof RepeatedExternalId && msg.externalConversationId !== null) {
      const existing = await findByExternalId(ctx, ticketId, msg.externalConversationId);
      if (existing) return existing;
    }
    throw err;
  }

  let pending: string[] | undefined;
  if (inserted.jobId !== null && msg.process === 'batch') ctx.notifyJobs();
  if (msg.process === 'realtime' && ctx.processRealtime) {
    ({ pending } = await ctx.processRealtime(inserted.conversation.id, config.REALTIME_BUDGET_MS));
  }
  // Realtime results were written after the insert; otherwise the inserted rows are the answer.
  const view = pending !== undefined
    ? await loadConversation(ctx.db, ticketId, inserted.conversation.id)
    : serializeConversation(inserted.conversation, inserted.attachments);
  return {
    success: true,
    conversationId: inserted.conversation.id,
    ticketId,
    conversation: view!,
    eventId: inserted.eventId,
    ...(pending && pending.length > 0 ? { pending } : {}),
  };
}

async function findByExternalId(ctx: AppContext, ticketId: number, externalId: string) {
  const row = await ctx.db.kysely.selectFrom('conversations').select('id').where('ticket_id', '=', ticketId).where('external_conversation_id', '=', externalId).executeTakeFirst();
  if (!row) return null;
  const event = await ctx.db.kysely
    .selectFrom('events')
    .select('id')
    .where('conversation_id', '=', row.id)
    .where('type', '=', 'conversationStored')
    .executeTakeFirst();
  const view = await loadConversation(ctx.db, ticketId, row.id);
  return { success: true, conversationId: row.id, ticketId, conversation: view!, eventId: event?.id ?? 0 };
}
