import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * The one rule for TicketCreated vs TicketResponse: an incoming message is the ticket's first
 * customer message when no incoming conversation of the ticket was stored before it.
 * Used by the store (process=false) and by the AI pipeline.
 */
export async function isFirstCustomerMessage(trx: Transaction<Database>, ticketId: number, conversationId: number): Promise<boolean> {
  const earlier = await trx.selectFrom('conversations').select('id')
    .where('ticket_id', '=', ticketId).where('direction', '=', 'in').where('id', '<', conversationId)
    .limit(1).executeTakeFirst();
  return earlier === undefined;
}
