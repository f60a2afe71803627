import type { Db } from '../db/dialect.js';
import { NotFound } from '../errors.js';
import { aiOutcomeOf, intentQuery, serializeIntent } from '../automation/intentModel.js';

/** GET /intent/byTicketId/{id} in Enneo's shape: every intent of the ticket, executed ones as history. */
export async function getTicketIntents(db: Db, ticketId: number) {
  const ticket = await db.kysely.selectFrom('tickets').select(['id', 'contract_id', 'customer_id']).where('id', '=', ticketId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!ticket) throw new NotFound('ticket', ticketId, 'ticketId');
  const rows = await intentQuery(db.kysely).where('ti.ticket_id', '=', ticketId).orderBy('ti.confidence', 'desc').orderBy('ti.id').execute();
  const intents = rows.map(serializeIntent);
  const active = intents.filter((i) => i.status !== 'invalidated');
  return { ticketId, intentsFound: active.length, aiOutcome: aiOutcomeOf(intents, ticket), intents };
}

/** GET /intent/{id}. */
export async function getIntent(db: Db, id: number) {
  const row = await intentQuery(db.kysely).where('ti.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('intent', id, 'id');
  return serializeIntent(row);
}
