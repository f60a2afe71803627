import type { Db } from '../db/dialect.js';
import { NotFound } from '../errors.js';

/** GET /intent/byTicketId/{id} in Enneo's shape. */
export async function getTicketIntents(db: Db, ticketId: number) {
  const ticket = await db.kysely.selectFrom('tickets').select(['id', 'ai_support_level', 'cortex_request_id']).where('id', '=', ticketId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!ticket) throw new NotFound('ticket', ticketId, 'ticketId');
  const rows = await db.kysely
    .selectFrom('ticket_intents as ti')
    .leftJoin('ai_agents as a', 'a.id', 'ti.ai_agent_id')
    .select(['ti.id', 'ti.code', 'ti.ai_agent_id', 'ti.confidence', 'ti.data', 'ti.status', 'a.name_en', 'a.name_de'])
    .where('ti.ticket_id', '=', ticketId)
    .orderBy('ti.confidence', 'desc')
    .orderBy('ti.id')
    .execute();
  const intents = rows.map((r) => ({
    id: r.id,
    code: r.code,
    name: r.name_en ?? r.code,
    nameDe: r.name_de ?? null,
    aiAgentId: r.ai_agent_id,
    confidence: r.confidence,
    data: JSON.parse(r.data) as Record<string, unknown>,
    status: r.status,
  }));
  const aiOutcome =
    // `human` no longer tells analysed from never analysed (process=false): the AI run does.
    ticket.ai_support_level === 'unprocessed' ? 'pending'
    : ticket.cortex_request_id === null && intents.length === 0 ? 'not processed'
    : intents.length === 0 ? 'no intent detected'
    : `detected ${intents.map((i) => i.code).join(', ')}`;
  return { ticketId, intentsFound: intents.length, aiOutcome, intents };
}
