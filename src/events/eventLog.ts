import type { Expression, Kysely, Transaction } from 'kysely';
import type { Database, EventRow } from '../db/schema.js';
import { nowSeconds } from '../time.js';

// The append-only event log. Types are lower camel in the log (Enneo's `ticketUpdated`); hooks
// subscribe by the PascalCase name (`TicketUpdated`). `data` is what a hook receives verbatim.

export const EVENT_TYPES = [
  'ticketCreated',
  'ticketResponse',
  'conversationCreated',
  'ticketUpdated',
  'ticketDeleted',
  'conversationStored',
  'attachmentExtracted',
  'cortexProcessTicket',
  'autoProcessIntent',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const toHookName = (type: string): string => type.charAt(0).toUpperCase() + type.slice(1);
export const fromHookName = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

type Db = Kysely<Database> | Transaction<Database>;

export interface NewEvent {
  /** Or an SQL expression that gives it, evaluated by the insert itself (saves a query first). */
  type: EventType | Expression<EventType>;
  ticketId: number | null;
  conversationId?: number | null;
  data: Record<string, unknown>;
  createdBy: number | null;
}

export async function recordEvent(db: Db, e: NewEvent): Promise<number> {
  return (await recordEvents(db, [e]))[0]!;
}

/**
 * Several events in one insert, their ids in the order given: a write that records two or three
 * events pays one round trip to PostgreSQL, not one each. Ids are taken in the order of the
 * rows, so the returned ids sorted are the events' in order (the order RETURNING lists them in
 * is not promised by either database).
 */
export async function recordEvents(db: Db, events: NewEvent[]): Promise<number[]> {
  if (events.length === 0) return [];
  const createdAt = nowSeconds();
  const rows = await db
    .insertInto('events')
    .values(events.map((e) => ({ type: e.type, ticket_id: e.ticketId, conversation_id: e.conversationId ?? null, data: JSON.stringify(e.data), status: 'recorded', created_at: createdAt, created_by: e.createdBy })))
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

export function serializeEvent(r: EventRow) {
  return {
    id: r.id,
    type: r.type,
    ticketId: r.ticket_id,
    conversationId: r.conversation_id,
    data: JSON.parse(r.data) as Record<string, unknown>,
    status: r.status,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}
