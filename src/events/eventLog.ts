import type { Kysely, Transaction } from 'kysely';
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
  type: EventType;
  ticketId: number | null;
  conversationId?: number | null;
  data: Record<string, unknown>;
  createdBy: number | null;
}

export async function recordEvent(db: Db, e: NewEvent): Promise<number> {
  const row = await db
    .insertInto('events')
    .values({ type: e.type, ticket_id: e.ticketId, conversation_id: e.conversationId ?? null, data: JSON.stringify(e.data), status: 'recorded', created_at: nowSeconds(), created_by: e.createdBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
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
