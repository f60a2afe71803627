import { sql, type Expression, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../db/dialect.js';
import { BadRequest } from '../errors.js';
import { lookup } from '../lookup.js';
import { buildFilterConditions, resolveComparator, type FilterInput } from '../search/filters.js';
import { boundedTotal, cappedTotal, type BoundedTotal } from '../search/boundedTotal.js';
import { fullTextMatches, onlyMatching, parseSearchText, type SearchText } from '../search/fullText.js';
import { ORDER_FIELDS, TICKET_FIELDS, UNSUPPORTED_ORDER_FIELDS } from '../search/ticketFields.js';
import { nowSeconds } from '../time.js';
import { COMPACT_TICKET_COLUMNS, serializeTicketCompact, type CompactTicketRow } from './serialize.js';
import { tagsOfTickets } from './readTickets.js';
import type { TicketSearchBody } from '../http/schemas/ticketSearch.js';

export const SEARCH_LIMIT_DEFAULT = 100;
export const SEARCH_LIMIT_MAX = 500;

/**
 * The full text of a search: the body's `q` (ours) and Enneo's `{"key": "q", "value": …}` filters;
 * several are one text (every word must match).
 */
function searchTextOf(body: TicketSearchBody): SearchText | null {
  const parts: string[] = [];
  let field = 'q';
  if (typeof body.q === 'string' && body.q.trim() !== '') parts.push(body.q);
  (body.filters ?? []).forEach((f: FilterInput, i) => {
    if (f.key !== 'q') return;
    const at = `filters[${i}]`;
    const comparator = resolveComparator(f, at);
    if (comparator !== '=' && comparator !== 'like') throw new BadRequest(`${at}.comparator`, 'q takes = (or no comparator)', 'invalid_comparator');
    if (typeof f.value !== 'string') throw new BadRequest(`${at}.value`, 'q needs a text value', 'invalid_filter_value');
    if (f.value.trim() !== '') parts.push(f.value);
    field = `${at}.value`;
  });
  if (parts.length === 0) return null;
  return parseSearchText(parts.join(' '), parts.length === 1 ? field : 'q');
}

/** `totalMax`: matches are counted up to this (SEARCH_TOTAL_MAX; src/search/boundedTotal.ts). */
export async function searchTickets(db: Db, body: TicketSearchBody, totalMax: number) {
  const limit = Math.min(body.limit ?? SEARCH_LIMIT_DEFAULT, SEARCH_LIMIT_MAX);
  const offset = body.offset ?? 0;
  const text = searchTextOf(body);
  const orderKey = body.orderByField ?? 't.id';
  const dir = (body.orderByDirection ?? 'desc').toLowerCase() === 'asc' ? 'asc' : 'desc';
  let order: Expression<unknown> | string | undefined;
  if (orderKey === 'relevance') {
    if (!text) throw new BadRequest('orderByField', 'relevance needs a full-text query (q)', 'unknown_order_field');
  } else {
    order = lookup(ORDER_FIELDS, orderKey) ?? lookup(ORDER_FIELDS, `t.${orderKey}`);
    if (!order) {
      const why = UNSUPPORTED_ORDER_FIELDS.includes(orderKey) ? `ticketmind has no ${orderKey.slice(2)}` : `cannot order by "${orderKey}"`;
      throw new BadRequest('orderByField', `${why}; use ${[...Object.keys(ORDER_FIELDS), 'relevance'].join(', ')}`, 'unknown_order_field');
    }
  }
  const now = nowSeconds();

  // Loosely typed while the full-text join comes and goes; the rows are typed again below.
  let from = db.kysely.selectFrom('tickets as t') as unknown as SelectQueryBuilder<any, any, object>;
  // Ordered by relevance, every match is ranked (a join); ordered by a ticket field, the matches
  // are a set of ids the database can stop reading at the page.
  const ranked = text !== null && order === undefined;
  if (ranked) from = from.innerJoin(fullTextMatches(db.kind, text).as('m'), 'm.ticket_id', 't.id');
  else if (text) from = onlyMatching(from, db.kind, text, order === ORDER_FIELDS['t.id'] ? dir : undefined);
  const base = from
    .where('t.deleted_at', 'is', null)
    .where((eb) => eb.and(buildFilterConditions(eb, body.filters ?? [], TICKET_FIELDS, 't.', db.kind, { now, skipKeys: ['q'] })));

  const relevance = ranked ? sql.ref('m.relevance').as('relevance') : sql.lit(null).as('relevance');
  const ordered = <Q extends SelectQueryBuilder<any, any, object>>(q: Q) =>
    (order === undefined ? q.orderBy(sql.ref('m.relevance'), dir) : q.orderBy(typeof order === 'string' ? sql.ref(order) : order, dir))
      .orderBy(sql.ref('t.id'), dir);
  let rows: (CompactTicketRow & { relevance: number | null })[];
  let total: BoundedTotal;
  if (text && offset + limit <= totalMax + 1) {
    // Full text, a page inside the counted window: the matching ids, in order and up to the cap,
    // are read once for both the page and the total, then the page's rows by id. Otherwise the
    // matches are found twice, and SQLite builds its `t.id in (…)` set once per statement, one
    // after the other on its one connection. Not for filters alone, where page and count are
    // index reads that run side by side on PostgreSQL (A/B at 1M, docs/SCALE.md).
    const matched = await ordered(base.select(['t.id as id', relevance])).limit(totalMax + 1).execute() as { id: number; relevance: number | null }[];
    total = cappedTotal(matched.length, totalMax);
    const page = matched.slice(offset, offset + limit);
    const read = page.length === 0 ? [] : await db.kysely.selectFrom('tickets').select(COMPACT_TICKET_COLUMNS).where('id', 'in', page.map((m) => m.id)).execute();
    const byId = new Map(read.map((r) => [r.id, r]));
    // In the matched order; a ticket erased between the two reads is left out of the page.
    rows = page.flatMap((m) => (byId.has(m.id) ? [{ ...byId.get(m.id)!, relevance: m.relevance }] : []));
  } else {
    const [found, counted] = await Promise.all([
      ordered(base.select(COMPACT_TICKET_COLUMNS.map((c) => `t.${c}` as const)).select(relevance)).limit(limit).offset(offset).execute(),
      boundedTotal(db.kysely, base, totalMax),
    ]);
    rows = found as (CompactTicketRow & { relevance: number | null })[];
    total = counted;
  }
  const ids = rows.map((r) => r.id);
  // One read of the tickets' tags gives both tagIds and tags (both in tag id order).
  const [tags, intents] = await Promise.all([tagsOfTickets(db.kysely, ids), intentsOf(db, ids)]);
  return {
    success: true,
    tickets: rows.map((r) => ({
      ...serializeTicketCompact(r, (tags.get(r.id) ?? []).map((g) => g.id)),
      spamStatus: r.spam_status,
      tags: tags.get(r.id) ?? [],
      intents: intents.get(r.id) ?? [],
      ...(ranked ? { relevance: Number(r.relevance) } : {}),
    })),
    ...total,
    offset,
    limit,
  };
}

function group<T extends { ticket_id: number }, U>(rows: T[], map: (r: T) => U): Map<number, U[]> {
  const out = new Map<number, U[]>();
  for (const r of rows) out.set(r.ticket_id, [...(out.get(r.ticket_id) ?? []), map(r)]);
  return out;
}

// The intents as GET /intent/byTicketId lists them, without their extracted data (compact rows).
async function intentsOf(db: Db, ids: number[]) {
  if (ids.length === 0) return new Map<number, never[]>();
  const rows = await db.kysely.selectFrom('ticket_intents as ti').leftJoin('ai_agents as a', 'a.id', 'ti.ai_agent_id')
    .select(['ti.ticket_id', 'ti.id', 'ti.code', 'ti.ai_agent_id', 'ti.confidence', 'ti.status', 'a.name_en'])
    .where('ti.ticket_id', 'in', ids).orderBy('ti.confidence', 'desc').orderBy('ti.id').execute();
  return group(rows, (r) => ({ id: r.id, code: r.code, name: r.name_en ?? r.code, aiAgentId: r.ai_agent_id, confidence: r.confidence, status: r.status }));
}
