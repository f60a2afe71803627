import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { ticketIdsInSubject } from './ticketTag.js';

/**
 * Which ticket a fetched mail belongs to:
 * 1. In-Reply-To / References naming a stored conversation's Message-ID → that ticket (the most
 *    specific reference wins: In-Reply-To, then References from the newest).
 * 2. Else a ticket tag in the subject (`[#123]`), if that ticket exists AND the sender has
 *    written on it before (the ticket's own sender, or the sender of an incoming message on it).
 *    The tag is guessable — ids are consecutive — so a tag alone from a stranger opens a new
 *    ticket instead of writing into someone else's case.
 * 3. Else null: a new ticket.
 */
export async function findThreadTicket(trx: Transaction<Database>, refs: string[], subject: string | null, fromEmail: string | null): Promise<number | null> {
  if (refs.length > 0) {
    const rows = await trx.selectFrom('conversations').select(['ticket_id', 'message_id'])
      .where('message_id', 'in', refs).where('deleted_at', 'is', null).execute();
    const byId = new Map(rows.map((r) => [r.message_id!, r.ticket_id]));
    for (const id of refs) {
      const ticketId = byId.get(id);
      if (ticketId !== undefined && (await liveTicket(trx, ticketId))) return ticketId;
    }
  }
  if (!fromEmail) return null;
  for (const ticketId of ticketIdsInSubject(subject)) {
    if (await senderKnownOnTicket(trx, ticketId, fromEmail)) return ticketId;
  }
  return null;
}

async function liveTicket(trx: Transaction<Database>, ticketId: number): Promise<boolean> {
  const t = await trx.selectFrom('tickets').select('id').where('id', '=', ticketId).where('deleted_at', 'is', null).executeTakeFirst();
  return t !== undefined;
}

async function senderKnownOnTicket(trx: Transaction<Database>, ticketId: number, fromEmail: string): Promise<boolean> {
  const email = fromEmail.toLowerCase();
  const t = await trx.selectFrom('tickets').select('id').where('id', '=', ticketId).where('deleted_at', 'is', null)
    .where(sql<string>`lower(from_email)`, '=', email).executeTakeFirst();
  if (t) return true;
  const c = await trx.selectFrom('conversations').select('id').where('ticket_id', '=', ticketId).where('direction', '=', 'in')
    .where(sql<string>`lower(from_email)`, '=', email).limit(1).executeTakeFirst();
  if (!c) return false;
  return liveTicket(trx, ticketId);
}
