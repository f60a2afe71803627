import type { Transaction } from 'kysely';
import type { AppContext } from '../context.js';
import type { Actor } from '../auth/actor.js';
import type { ConversationRow, ConversationUpdate, Database, DeliveryStatus, TicketRow } from '../db/schema.js';
import type { ConversationPatchBody } from '../http/schemas/reply.js';
import { Conflict, Invalid, NotFound, PayloadTooLarge } from '../errors.js';
import { lockTicket } from '../tickets/readTickets.js';
import { messageTimes, normalizeStatus, planTicketChanges } from '../tickets/rules.js';
import { recordEvent } from '../events/eventLog.js';
import { enqueueJob } from '../jobs/queue.js';
import { replyJobKey } from '../jobs/jobKeys.js';
import { deriveBodies } from '../conversations/deriveBodies.js';
import { loadConversation } from '../conversations/readConversations.js';
import { subjectWithTag } from '../mail/ticketTag.js';
import { nowSeconds } from '../time.js';
import { fromJson } from '../db/json.js';
import { checkGiven, checkSaysSomething, newMessageId, replyRecipients, replyText, SEND_REPLY_TASK, sendingMailbox, type SendingMailbox } from './delivery.js';

/**
 * Drafts and internal notes after they were stored: edited (PATCH), deleted, and drafts published
 * (`POST …/send`, or PATCH with `isDraft: false`) through the same path a reply takes. A failed
 * reply can be sent again (same Message-ID). Everything else that was said to the customer stays
 * as it was: 409.
 */

const editable = (c: ConversationRow): boolean => c.is_draft === 1 || c.private === 1;
const describe = (c: ConversationRow): string => c.direction === 'in' ? 'a customer message' : `a reply (${c.delivery_status ?? 'stored'})`;

async function findConversation(ctx: AppContext, ticketId: number, conversationId: number): Promise<ConversationRow> {
  const row = await ctx.db.kysely.selectFrom('conversations').selectAll()
    .where('id', '=', conversationId).where('ticket_id', '=', ticketId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!row) throw new NotFound('conversation', conversationId, 'conversationId');
  return row;
}

/** Inside a transaction: the row again (locked through its ticket), checked against what the caller saw. */
async function relock(trx: Transaction<Database>, ctx: AppContext, ticketId: number, conversationId: number): Promise<{ ticket: TicketRow; row: ConversationRow }> {
  const ticket = await lockTicket(trx, ctx.db.kind, ticketId);
  if (!ticket) throw new NotFound('ticket', ticketId, 'ticketId');
  const row = await trx.selectFrom('conversations').selectAll()
    .where('id', '=', conversationId).where('ticket_id', '=', ticketId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!row) throw new NotFound('conversation', conversationId, 'conversationId');
  return { ticket, row };
}

/**
 * Publishes a draft (or queues a failed reply again) inside the caller's transaction: a mailbox
 * queues it with its Message-ID and a send job, no mailbox leaves it `stored`, a note stays a note.
 * A draft becomes an answer now: the ticket's reply times and the ConversationCreated event.
 */
async function publishInTransaction(trx: Transaction<Database>, ctx: AppContext, ticket: TicketRow, row: ConversationRow, mailbox: SendingMailbox | null, actor: Actor, status: string | null) {
  const wasDraft = row.is_draft === 1;
  const delivery: DeliveryStatus | null = row.private === 1 ? null : mailbox ? 'queued' : 'stored';
  if (delivery === 'queued' && fromJson<string[]>(row.to_emails, []).length === 0) {
    throw new Invalid('to', 'no recipient: give to before sending', 'no_recipient');
  }
  const now = nowSeconds();
  const set: ConversationUpdate = { is_draft: 0, delivery_status: delivery, delivery_error: null, modified_at: now };
  if (delivery === 'queued') {
    set.message_id = row.message_id ?? newMessageId(mailbox!.email);
    set.subject = subjectWithTag(row.subject ?? `Re: ${ticket.subject}`, ticket.id);
  }
  await trx.updateTable('conversations').set(set).where('id', '=', row.id).execute();
  if (wasDraft) {
    const { update, changes } = planTicketChanges(ticket, { status });
    await trx.updateTable('tickets')
      .set({ ...update, ...messageTimes(ticket, { direction: row.direction, isPrivate: row.private === 1, isDraft: false, at: now }), modified_at: now })
      .where('id', '=', ticket.id).execute();
    if (Object.keys(changes).length > 0) {
      await recordEvent(trx, { type: 'ticketUpdated', ticketId: ticket.id, data: { userId: actor.agentId, changes, ticketId: ticket.id }, createdBy: actor.agentId });
    }
    await recordEvent(trx, {
      type: 'conversationCreated', ticketId: ticket.id, conversationId: row.id, createdBy: actor.agentId,
      data: { ticketId: ticket.id, conversationId: row.id, userId: actor.agentId, direction: row.direction, deliveryStatus: delivery, subchannelId: row.subchannel_id, private: row.private === 1 },
    });
  }
  if (delivery === 'queued') {
    await enqueueJob(trx, SEND_REPLY_TASK, { conversationId: row.id, ticketId: ticket.id }, { jobKey: replyJobKey(ticket.id, row.id), maxAttempts: ctx.config.SMTP_MAX_ATTEMPTS });
  }
  return delivery;
}

function checkPublishable(row: ConversationRow): void {
  if (row.is_draft === 1 || row.delivery_status === 'failed') return;
  throw new Conflict(`conversation ${row.id} is ${describe(row)}: only a draft or a failed reply can be sent`, 'conversationId');
}

/** POST …/conversation/{id}/send */
export async function sendConversation(ctx: AppContext, ticketId: number, conversationId: number, actor: Actor, status: string | null) {
  if (status !== null) normalizeStatus(status);
  const seen = await findConversation(ctx, ticketId, conversationId);
  checkPublishable(seen);
  const mailbox = seen.private === 1 ? null : await sendingMailbox(ctx, seen.subchannel_id);
  if (seen.is_draft === 0 && !mailbox) throw new Conflict(`conversation ${conversationId} cannot be sent again: subchannel ${seen.subchannel_id ?? 'none'} has no SMTP settings`, 'conversationId');
  const delivery = await ctx.db.writeTransaction(async (trx) => {
    const { ticket, row } = await relock(trx, ctx, ticketId, conversationId);
    checkPublishable(row);
    return publishInTransaction(trx, ctx, ticket, row, mailbox, actor, status);
  });
  if (delivery === 'queued') ctx.notifyJobs();
  return { success: true, conversationId, ticketId, conversation: (await loadConversation(ctx.db, ticketId, conversationId))! };
}

/** PATCH …/conversation/{id}: drafts and internal notes only; `isDraft: false` publishes. */
export async function patchConversation(ctx: AppContext, ticketId: number, conversationId: number, input: ConversationPatchBody, actor: Actor) {
  const seen = await findConversation(ctx, ticketId, conversationId);
  if (!editable(seen)) throw new Conflict(`conversation ${conversationId} is ${describe(seen)}: only drafts and internal notes can be changed`, 'conversationId');
  if (input.isDraft === true && seen.is_draft === 0) throw new Invalid('isDraft', 'a published note cannot become a draft again', 'not_a_draft');
  if (input.status != null) normalizeStatus(input.status);
  const publish = input.isDraft === false && seen.is_draft === 1;

  const set: ConversationUpdate = {};
  const text = replyText(input);
  if (text !== null) {
    const field = input.body == null ? 'content' : 'body';
    checkGiven(text, field);
    if (text.length > ctx.config.MESSAGE_BODY_MAX_CHARS) throw new PayloadTooLarge(`body has ${text.length} characters; at most ${ctx.config.MESSAGE_BODY_MAX_CHARS} are stored (MESSAGE_BODY_MAX_CHARS)`, 'body');
    const { bodyPlain, bodyClean } = await deriveBodies(text);
    checkSaysSomething(text, bodyPlain, field);
    Object.assign(set, { body: text, body_plain: bodyPlain, body_clean: bodyClean, content: JSON.stringify({ message: bodyClean }) });
  }
  const r = replyRecipients(input);
  if (input.to != null) set.to_emails = JSON.stringify(r.to);
  if (input.cc != null) set.cc_emails = JSON.stringify(r.cc);
  if (input.bcc != null) set.bcc_emails = JSON.stringify(r.bcc);
  if (input.subject != null) set.subject = input.subject;
  const mailbox = publish && seen.private === 0 ? await sendingMailbox(ctx, seen.subchannel_id) : null;

  const delivery = await ctx.db.writeTransaction(async (trx) => {
    const { ticket, row } = await relock(trx, ctx, ticketId, conversationId);
    if (!editable(row)) throw new Conflict(`conversation ${conversationId} is ${describe(row)}: only drafts and internal notes can be changed`, 'conversationId');
    if (Object.keys(set).length > 0) {
      await trx.updateTable('conversations').set({ ...set, modified_at: nowSeconds() }).where('id', '=', row.id).execute();
    }
    if (!publish || row.is_draft === 0) return null;
    return publishInTransaction(trx, ctx, ticket, { ...row, ...set } as ConversationRow, mailbox, actor, input.status ?? null);
  });
  if (delivery === 'queued') ctx.notifyJobs();
  return { success: true, conversation: (await loadConversation(ctx.db, ticketId, conversationId))! };
}

/** DELETE …/conversation/{id}: drafts and internal notes only (soft: deletedAt is set, lists skip it). */
export async function deleteConversation(ctx: AppContext, ticketId: number, conversationId: number) {
  const seen = await findConversation(ctx, ticketId, conversationId);
  if (!editable(seen)) throw new Conflict(`conversation ${conversationId} is ${describe(seen)}: only drafts and internal notes can be deleted`, 'conversationId');
  await ctx.db.writeTransaction(async (trx) => {
    const { row } = await relock(trx, ctx, ticketId, conversationId);
    if (!editable(row)) throw new Conflict(`conversation ${conversationId} is ${describe(row)}: only drafts and internal notes can be deleted`, 'conversationId');
    const now = nowSeconds();
    await trx.updateTable('conversations').set({ deleted_at: now, modified_at: now }).where('id', '=', row.id).execute();
  });
  return { success: true };
}
