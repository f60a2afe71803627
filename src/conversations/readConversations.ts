import type { Db } from '../db/dialect.js';
import type { AttachmentRow } from '../db/schema.js';
import { NotFound } from '../errors.js';
import { serializeConversation } from './serialize.js';

export interface ConversationFilters {
  /** Each filter takes one value or several (OR within a filter, AND across filters). */
  type?: string[];
  direction?: string[];
  private?: boolean[];
  /** The author agent's id (Enneo's senderId). */
  senderId?: number[];
  includeRawData?: boolean;
  /** a page, oldest first; the route's schema gives the default (100) and the cap (500) */
  limit?: number;
  offset?: number;
}

export async function listConversations(db: Db, ticketId: number, f: ConversationFilters = {}) {
  const ticket = await db.kysely.selectFrom('tickets').select('id').where('id', '=', ticketId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!ticket) throw new NotFound('ticket', ticketId, 'ticketId');
  let q = db.kysely.selectFrom('conversations').selectAll().where('ticket_id', '=', ticketId).where('deleted_at', 'is', null);
  const type = splitValues(f.type);
  const direction = splitValues(f.direction);
  if (type.length) q = q.where('type', 'in', type);
  if (direction.length) q = q.where('direction', 'in', direction);
  if (f.private?.length) q = q.where('private', 'in', [...new Set(f.private.map((p) => (p ? 1 : 0)))]);
  if (f.senderId?.length) q = q.where('agent_id', 'in', f.senderId);
  // created_at then id: a stable order, so pages neither repeat nor skip a row.
  const rows = await q.orderBy('created_at').orderBy('id').limit(f.limit ?? 100).offset(f.offset ?? 0).execute();
  const files = rows.length
    ? await db.kysely.selectFrom('attachments').selectAll().where('conversation_id', 'in', rows.map((r) => r.id)).orderBy('position').execute()
    : [];
  const byConversation = new Map<number, AttachmentRow[]>();
  for (const a of files) byConversation.set(a.conversation_id, [...(byConversation.get(a.conversation_id) ?? []), a]);
  return rows.map((r) => serializeConversation(r, byConversation.get(r.id) ?? [], { includeRawData: f.includeRawData }));
}

/** `type=email&type=note` and `type=email,note` alike; empty parts dropped. */
function splitValues(values: string[] | undefined): string[] {
  return [...new Set((values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))];
}

export async function loadConversation(db: Db, ticketId: number, conversationId: number, opts: { includeRawData?: boolean } = {}) {
  const row = await db.kysely
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', conversationId)
    .where('ticket_id', '=', ticketId)
    .executeTakeFirst();
  if (!row) return null;
  const files = await db.kysely.selectFrom('attachments').selectAll().where('conversation_id', '=', conversationId).orderBy('position').execute();
  return serializeConversation(row, files, opts);
}
