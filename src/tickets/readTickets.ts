import type { Kysely } from 'kysely';
import { rowLockSuffix, type Db, type DbKind } from '../db/dialect.js';
import type { Database, TicketRow } from '../db/schema.js';
import { NotFound } from '../errors.js';
import { serializeTicket, type ReplyRecipients, type TicketTag } from './serialize.js';
import { fromJson } from '../db/json.js';
import { getTicketIntents } from './intents.js';

/** The ticket row inside a writing transaction, locked on PostgreSQL; undefined if absent or deleted. */
export async function lockTicket(trx: Kysely<Database>, kind: DbKind, ticketId: number): Promise<TicketRow | undefined> {
  return trx.selectFrom('tickets').selectAll().where('id', '=', ticketId).where('deleted_at', 'is', null).modifyEnd(rowLockSuffix(kind)).executeTakeFirst();
}

/** Each ticket's tags in tag id order, as the ticket answers show them (GET /ticket/{id}, search). */
export async function tagsOfTickets(db: Kysely<Database>, ticketIds: number[]): Promise<Map<number, TicketTag[]>> {
  const map = new Map<number, TicketTag[]>();
  if (ticketIds.length === 0) return map;
  const rows = await db.selectFrom('ticket_tags as tt').innerJoin('tags as g', 'g.id', 'tt.tag_id')
    .select(['tt.ticket_id', 'g.id', 'g.name', 'g.parent_id', 'g.color']).where('tt.ticket_id', 'in', ticketIds).orderBy('g.id').execute();
  for (const r of rows) map.set(r.ticket_id, [...(map.get(r.ticket_id) ?? []), { id: r.id, name: r.name, parentId: r.parent_id, color: r.color }]);
  return map;
}

export interface LoadTicketOptions {
  includeRawData?: boolean;
  includeIntents?: boolean;
  includeCustomer?: boolean;
}

/** The ticket as GET /ticket/{id} returns it (also the answer of create and PATCH). */
export async function loadTicket(db: Db, id: number, opts: LoadTicketOptions = {}) {
  const t = await db.kysely.selectFrom('tickets').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (!t) throw new NotFound('ticket', id, 'ticketId');
  const [tags, attachments, intents, replyRecipients, emailSubchannelId] = await Promise.all([
    tagsOfTickets(db.kysely, [id]),
    db.kysely.selectFrom('attachments').selectAll().where('ticket_id', '=', id).orderBy('id').execute(),
    opts.includeIntents ? getTicketIntents(db, id) : Promise.resolve(null),
    replyRecipientsOf(db.kysely, t),
    emailSubchannelOf(db.kysely, t),
  ]);
  return serializeTicket(t, {
    tags: tags.get(id) ?? [],
    attachments,
    replyRecipients,
    emailSubchannelId,
    includeRawData: opts.includeRawData,
    includeCustomer: opts.includeCustomer,
    intents: intents?.intents,
  });
}

/**
 * Who a reply goes to, from the last customer message (the ticket's own addresses when it has
 * none): its sender, and its cc. Bcc is never copied: the customer's blind copies stay blind.
 */
async function replyRecipientsOf(db: Kysely<Database>, t: TicketRow): Promise<ReplyRecipients> {
  const last = await db.selectFrom('conversations').select(['from_email', 'cc_emails'])
    .where('ticket_id', '=', t.id).where('direction', '=', 'in').where('deleted_at', 'is', null)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const from = last ? last.from_email : t.from_email;
  const cc = fromJson<string[]>(last ? last.cc_emails : t.cc_emails, []);
  return { to: from ? [from] : [], cc: cc.filter((a) => a !== from), bcc: [] };
}

/** The mailbox a reply by email leaves from: the ticket's own subchannel if it is an email one, else the default email subchannel. */
async function emailSubchannelOf(db: Kysely<Database>, t: TicketRow): Promise<number | null> {
  const own = t.subchannel_id === null ? undefined
    : await db.selectFrom('subchannels').select('id').where('id', '=', t.subchannel_id).where('channel', '=', 'email').executeTakeFirst();
  if (own) return own.id;
  const def = await db.selectFrom('subchannels').select('id').where('channel', '=', 'email').orderBy('is_default', 'desc').orderBy('id').executeTakeFirst();
  return def?.id ?? null;
}
