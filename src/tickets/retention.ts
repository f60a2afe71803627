import type { AppContext } from '../context.js';
import { nowSeconds } from '../time.js';
import { eraseTicket } from './eraseTicket.js';

// Retention, run by the maintenance loop (src/services.ts) beside job and hook-delivery pruning.
//
// "Technical" data is what records how processing ran rather than what happened to the ticket:
// - the events `conversationStored` (the store's receipt), `attachmentExtracted` (the extraction
//   result, kept on the attachment itself) and `cortexProcessTicket`;
// - of each AI run (cortex request) its `inputs` (a copy of the message text given to the AI)
//   and `steps` (timings). Its outputs stay: they are the ticket's AI result, shown in its timeline.
// The business events (ticketCreated, ticketResponse, conversationCreated, ticketUpdated,
// ticketDeleted) are the ticket's history and stay until the ticket is erased.
export const TECHNICAL_EVENT_TYPES = ['conversationStored', 'attachmentExtracted', 'cortexProcessTicket'] as const;

/** Tickets erased per maintenance pass: a large backlog is worked off over several passes. */
const ERASE_BATCH = 100;

/** Closed tickets older than TICKET_RETENTION_DAYS (0 = off) are erased. Returns how many. */
export async function eraseExpiredTickets(ctx: AppContext, now = nowSeconds()): Promise<number> {
  const days = ctx.config.TICKET_RETENTION_DAYS;
  if (days <= 0) return 0;
  const due = await ctx.db.kysely.selectFrom('tickets').select('id')
    .where('status', '=', 'closed').where('closed_at', '<', now - days * 86_400)
    .orderBy('closed_at').limit(ERASE_BATCH).execute();
  let erased = 0;
  for (const { id } of due) {
    try {
      await eraseTicket(ctx, id, { userId: null, reason: 'retention' });
      erased++;
    } catch (err) {
      // Reopened or erased by a request in the meantime: the next pass sees the truth.
      ctx.log.warn({ err, ticketId: id }, 'retention could not erase a ticket');
    }
  }
  return erased;
}

/** Technical event data older than TECHNICAL_DATA_RETENTION_DAYS is pruned (see above). */
export async function pruneTechnicalData(ctx: AppContext, now = nowSeconds()): Promise<{ events: number; cortexRequests: number }> {
  const cutoff = now - ctx.config.TECHNICAL_DATA_RETENTION_DAYS * 86_400;
  const db = ctx.db.kysely;
  const events = await db.deleteFrom('events').where('type', 'in', [...TECHNICAL_EVENT_TYPES]).where('created_at', '<', cutoff).executeTakeFirst();
  const cortex = await db.updateTable('cortex_requests').set({ inputs: '{}', steps: '{}' })
    .where('created_at', '<', cutoff).where('status', '!=', 'running').where('inputs', '!=', '{}').executeTakeFirst();
  return { events: Number(events.numDeletedRows), cortexRequests: Number(cortex.numUpdatedRows) };
}
