import type { Kysely } from 'kysely';
import { rowLockSuffix, type Db, type DbKind } from '../db/dialect.js';
import type { Database, TicketRow } from '../db/schema.js';
import { NotFound } from '../errors.js';
import { serializeTicket } from './serialize.js';
import { getTicketIntents } from './intents.js';

/** The ticket row inside a writing transaction, locked on PostgreSQL; undefined if absent or deleted. */
export async function lockTicket(trx: Kysely<Database>, kind: DbKind, ticketId: number): Promise<TicketRow | undefined> {
  return trx.selectFrom('tickets').selectAll().where('id', '=', ticketId).where('deleted_at', 'is', null).modifyEnd(rowLockSuffix(kind)).executeTakeFirst();
}

export async function tagIdsOf(db: Kysely<Database>, ticketIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  if (ticketIds.length === 0) return map;
  const rows = await db.selectFrom('ticket_tags').select(['ticket_id', 'tag_id']).where('ticket_id', 'in', ticketIds).orderBy('tag_id').execute();
  for (const r of rows) map.set(r.ticket_id, [...(map.get(r.ticket_id) ?? []), r.tag_id]);
  return map;
}

export async function loadTicket(db: Db, id: number, opts: { includeRawData?: boolean; includeIntents?: boolean } = {}) {
  const t = await db.kysely.selectFrom('tickets').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (!t) throw new NotFound('ticket', id, 'ticketId');
  const [tags, attachments, intents] = await Promise.all([
    tagIdsOf(db.kysely, [id]),
    db.kysely.selectFrom('attachments').selectAll().where('ticket_id', '=', id).orderBy('id').execute(),
    opts.includeIntents ? getTicketIntents(db, id) : Promise.resolve(null),
  ]);
  return serializeTicket(t, {
    tagIds: tags.get(id) ?? [],
    attachments,
    includeRawData: opts.includeRawData,
    intents: intents?.intents,
  });
}
