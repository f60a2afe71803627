import { sql, type Expression, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * The one rule for TicketCreated vs TicketResponse: an incoming message is the ticket's first
 * customer message when no incoming conversation of the ticket was stored before it.
 * Used by the store (process=false) and by the AI pipeline.
 */
function earlierCustomerMessage(db: Kysely<Database> | Transaction<Database>, ticketId: number, conversationId: number) {
  return db.selectFrom('conversations').select('id')
    .where('ticket_id', '=', ticketId).where('direction', '=', 'in').where('id', '<', conversationId)
    .limit(1);
}

export async function isFirstCustomerMessage(trx: Transaction<Database>, ticketId: number, conversationId: number): Promise<boolean> {
  return (await earlierCustomerMessage(trx, ticketId, conversationId).executeTakeFirst()) === undefined;
}

/** The same rule as the event type, for the insert of the event itself (the store: one query less). */
export function customerMessageEventType(trx: Transaction<Database>, ticketId: number, conversationId: number): Expression<'ticketCreated' | 'ticketResponse'> {
  return sql<'ticketCreated' | 'ticketResponse'>`(case when exists ${earlierCustomerMessage(trx, ticketId, conversationId)} then 'ticketResponse' else 'ticketCreated' end)`;
}
