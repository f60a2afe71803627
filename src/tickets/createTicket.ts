import type { Transaction } from 'kysely';
import type { AppContext } from '../context.js';
import type { Actor } from '../auth/actor.js';
import type { Database, TicketRow } from '../db/schema.js';
import { nowSeconds } from '../time.js';
import { prepareMessage, type PreparedMessage } from '../conversations/prepareMessage.js';
import { insertConversation, messageReferences } from '../conversations/insertConversation.js';
import { storeAttachments } from '../attachments/storeAttachments.js';
import { recordEvent } from '../events/eventLog.js';
import { planTicketChanges } from './rules.js';
import { loadTicket } from './readTickets.js';
import { setTicketTags } from './tags.js';
import { initialAiSupportLevel } from './aiSupportLevel.js';
import type { TicketCreateBody } from '../http/schemas/ticket.js';

/**
 * POST /api/mind/ticket — a ticket with its first message. `externalTicketId` is a dedupe key:
 * when a ticket with it exists, that ticket's fields are updated from the request and it is
 * returned; the message is not stored a second time (send later messages through store).
 * The unique index on external_ticket_id makes this race-safe.
 */
export async function createTicket(ctx: AppContext, input: TicketCreateBody, actor: Actor, processQuery?: string) {
  const msg = await prepareMessage({ ...input, ccEmails: input.cc, bccEmails: input.bcc }, processQuery, ctx.config.MESSAGE_BODY_MAX_CHARS);
  const channel = input.channel;
  const tagIds = input.tags ?? input.tagIds ?? [];
  const externalTicketId = input.externalTicketId ?? null;
  const { db, config } = ctx;
  const files = await storeAttachments(ctx, msg.attachments, msg);

  const { ticketId, conversationId } = await db.writeTransaction(async (trx) => {
    // Before the ticket insert: an unknown agent, subchannel or intent is a 422 and writes no
    // ticket (an agent would otherwise fail its foreign key, a 500). The ticket's agentId is also
    // the message's author (prepareMessage), so this one check covers both.
    const references = await messageReferences(trx, channel, msg, actor);
    let subchannelId = msg.subchannelId;
    if (subchannelId === null) {
      const def = await trx.selectFrom('subchannels').select('id').where('channel', '=', channel).orderBy('is_default', 'desc').orderBy('id').executeTakeFirst();
      subchannelId = def?.id ?? null;
    }
    const inserted = await insertTicket(trx, { channel, subchannelId, msg, externalTicketId, agentId: input.agentId, contractId: input.contractId, customerId: input.customerId });

    if (!inserted) return { ticketId: await updateExisting(trx, externalTicketId!, input, msg.ticketChanges, tagIds, actor), conversationId: null };

    await setTicketTags(trx, inserted.id, tagIds, 'tags');
    // The message's subchannel is the ticket's (the default one when none was named).
    const { conversation } = await insertConversation(trx, inserted, msg, files, actor, {
      maxAttempts: config.JOB_MAX_ATTEMPTS,
      realtimeBudgetMs: config.REALTIME_BUDGET_MS,
      isNewTicket: true,
      references,
    });
    return { ticketId: inserted.id, conversationId: conversation.id };
  });
  ctx.notifyJobs();
  // process=realtime: AI runs before the answer, as on store (past the budget the job finishes it).
  if (conversationId !== null && msg.process === 'realtime') await ctx.processRealtime(conversationId, config.REALTIME_BUDGET_MS);
  return loadTicket(db, ticketId);
}

export interface NewTicketInput {
  channel: string;
  subchannelId: number | null;
  msg: PreparedMessage;
  externalTicketId?: string | null;
  agentId?: number | null;
  contractId?: string | null;
  customerId?: string | null;
}

/**
 * The ticket row for a first message, inside the caller's transaction: the ticket rules of a
 * change (pending needs a future dueBy, known priority, …) without an event. Shared by ticket
 * create and the mail fetcher (a new mail that threads onto no ticket); the caller inserts the
 * message with insertConversation. Undefined when externalTicketId is taken.
 */
export async function insertTicket(trx: Transaction<Database>, t: NewTicketInput): Promise<TicketRow | undefined> {
  const { msg } = t;
  const now = nowSeconds();
  const base = blankTicket(t.channel, now);
  const { update } = planTicketChanges(base, { ...msg.ticketChanges, status: msg.ticketChanges.status ?? 'open', agentId: t.agentId, contractId: t.contractId, customerId: t.customerId });
  return trx
    .insertInto('tickets')
    .values({
      ...withoutId(base),
      ...update,
      external_ticket_id: t.externalTicketId ?? null,
      direction: msg.direction,
      from_email: msg.fromEmail,
      from_name: msg.fromName,
      to_emails: JSON.stringify(msg.to),
      cc_emails: JSON.stringify(msg.cc),
      bcc_emails: JSON.stringify(msg.bcc),
      subchannel_id: t.subchannelId,
      subject: msg.subject ?? '',
      body: msg.body,
      body_plain: msg.bodyPlain,
      body_clean: msg.bodyClean,
      ai_support_level: initialAiSupportLevel(msg.process),
      raw_data: msg.rawData === null ? null : JSON.stringify(msg.rawData),
      created_at: msg.createdAt,
    })
    .onConflict((oc) => oc.column('external_ticket_id').doNothing())
    .returningAll()
    .executeTakeFirst();
}

async function updateExisting(
  trx: Transaction<Database>,
  externalTicketId: string,
  input: TicketCreateBody,
  ticketChanges: PreparedMessage['ticketChanges'],
  tagIds: number[],
  actor: Actor,
): Promise<number> {
  const ticket = await trx.selectFrom('tickets').selectAll().where('external_ticket_id', '=', externalTicketId).executeTakeFirstOrThrow();
  const { update, changes } = planTicketChanges(ticket, { ...ticketChanges, agentId: input.agentId, contractId: input.contractId, customerId: input.customerId });
  if (input.tags || input.tagIds) {
    const before = await setTicketTags(trx, ticket.id, tagIds, 'tags');
    if (before.changed) changes.tagIds = tagIds;
  }
  if (input.rawData != null) update.raw_data = JSON.stringify(input.rawData);
  if (Object.keys(update).length > 0 || Object.keys(changes).length > 0) {
    await trx.updateTable('tickets').set({ ...update, modified_at: nowSeconds() }).where('id', '=', ticket.id).execute();
  }
  if (Object.keys(changes).length > 0) {
    await recordEvent(trx, { type: 'ticketUpdated', ticketId: ticket.id, data: { userId: actor.agentId, changes, ticketId: ticket.id }, createdBy: actor.agentId });
  }
  return ticket.id;
}

function blankTicket(channel: string, now: number): TicketRow {
  return {
    id: 0, external_ticket_id: null, direction: 'in', from_email: null, from_name: null, to_emails: '[]', cc_emails: '[]', bcc_emails: '[]',
    channel, subchannel_id: null, status: 'open', priority: 'low', subject: '', summary: null, body: '', body_plain: '', body_clean: '',
    sentiment: null, language: null, language_code: null, ai_support_level: 'unprocessed', spam_status: null, contract_id: null, customer_id: null, customer_legitimation: null,
    agent_id: null, worked_on_by: null, raw_data: null, cortex_request_id: null, created_at: now, modified_at: now,
    first_response_due_by: null, due_by: null, closed_at: null, last_message_at: null, last_customer_message_at: null, first_response_at: null, last_agent_message_at: null, deleted_at: null,
  };
}

function withoutId(t: TicketRow) {
  const { id: _id, ...rest } = t;
  return rest;
}
