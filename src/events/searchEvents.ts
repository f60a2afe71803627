import type { Db } from '../db/dialect.js';
import { BadRequest, NotFound } from '../errors.js';
import { lookup } from '../lookup.js';
import { boundedTotal } from '../search/boundedTotal.js';
import { buildFilterConditions, type FieldSpec, type FilterInput } from '../search/filters.js';
import { serializeEvent } from './eventLog.js';

const FIELDS: Record<string, FieldSpec> = {
  'e.id': { column: 'id', kind: 'int' },
  'e.type': { column: 'type', kind: 'text' },
  'e.ticketId': { column: 'ticket_id', kind: 'int' },
  'e.conversationId': { column: 'conversation_id', kind: 'int' },
  'e.status': { column: 'status', kind: 'text' },
  'e.createdAt': { column: 'created_at', kind: 'date' },
  'e.createdBy': { column: 'created_by', kind: 'int' },
};
const ORDER: Record<string, 'id' | 'created_at' | 'type'> = { 'e.id': 'id', 'e.createdAt': 'created_at', 'e.type': 'type' };

export interface EventSearch {
  filters?: FilterInput[];
  limit?: number;
  offset?: number;
  orderByField?: string;
  orderByDirection?: string;
}

/** `totalMax`: matches are counted up to this (SEARCH_TOTAL_MAX; src/search/boundedTotal.ts). */
export async function searchEvents(db: Db, s: EventSearch, totalMax: number) {
  const limit = s.limit ?? 20;
  const offset = s.offset ?? 0;
  const orderKey = s.orderByField ?? 'e.id';
  const col = lookup(ORDER, orderKey) ?? lookup(ORDER, `e.${orderKey}`);
  if (!col) throw new BadRequest('orderByField', `cannot order by "${orderKey}"; use ${Object.keys(ORDER).join(', ')}`, 'unknown_order_field');
  const dir = (s.orderByDirection ?? 'desc').toLowerCase() === 'asc' ? 'asc' : 'desc';
  const base = db.kysely.selectFrom('events').where((eb) => eb.and(buildFilterConditions(eb, s.filters ?? [], FIELDS, 'e.', db.kind)));
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy(col, dir).orderBy('id', dir).limit(limit).offset(offset).execute(),
    boundedTotal(db.kysely, base, totalMax),
  ]);
  return { success: true, events: rows.map(serializeEvent), ...total, offset, limit };
}

export async function getEvent(db: Db, id: number) {
  const row = await db.kysely.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('event', id, 'id');
  return { success: true, event: serializeEvent(row) };
}
