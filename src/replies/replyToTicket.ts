import type { AppContext } from '../context.js';
import type { Actor } from '../auth/actor.js';
import type { DeliveryStatus } from '../db/schema.js';
import type { ReplyBody } from '../http/schemas/reply.js';
import type { StoreBody } from '../http/schemas/conversation.js';
import { Invalid, NotFound } from '../errors.js';
import { lockTicket } from '../tickets/readTickets.js';
import { prepareMessage } from '../conversations/prepareMessage.js';
import { insertConversation } from '../conversations/insertConversation.js';
import { serializeConversation } from '../conversations/serialize.js';
import { storeAttachments } from '../attachments/storeAttachments.js';
import { enqueueJob } from '../jobs/queue.js';
import { replyJobKey } from '../jobs/jobKeys.js';
import { renderReplyTemplate, templateRefOf } from './templates.js';
import { checkGiven, checkSaysSomething, customerAddress, newMessageId, replyRecipients, replySubject, replyText, SEND_REPLY_TASK, sendingMailbox } from './delivery.js';

/**
 * POST /api/mind/ticket/{id}/conversation/reply — an agent's answer (Enneo's path and body).
 * Stored by the store use case's insert (same rules, events, hooks); on a mailbox the send job is
 * enqueued in the same transaction, with the Message-ID already on the row, so the reply is
 * either stored and queued or not there at all. Drafts wait for /send; a private note is an
 * internal note, never mailed; without a mailbox the reply is `stored` for an integrator.
 */
export async function replyToTicket(ctx: AppContext, ticketId: number, input: ReplyBody, actor: Actor) {
  const templateRef = templateRefOf(input);
  const textField = templateRef ? 'template' : input.body == null && input.content != null ? 'content' : 'body';
  const recipients = replyRecipients(input);
  const isPrivate = input.private === true;
  const isDraft = input.isDraft === true;

  const ticket = await ctx.db.kysely.selectFrom('tickets').selectAll().where('id', '=', ticketId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!ticket) throw new NotFound('ticket', ticketId, 'ticketId');
  // A template gives the body (and the subject, unless one is given); a body given too is a 422.
  let rendered: { body: string; subject: string | null } | null = null;
  if (templateRef) {
    if (input.body != null || input.content != null) throw new Invalid('template', 'give either a template or a body, not both');
    const agent = actor.agentId ? await ctx.db.kysely.selectFrom('agents').select('name').where('id', '=', actor.agentId).executeTakeFirst() : null;
    rendered = await renderReplyTemplate(ctx.db, templateRef, ticket, agent ?? null);
  }
  const text = checkGiven(rendered ? rendered.body : replyText(input), textField);
  const subchannelId = input.subchannelId ?? ticket.subchannel_id;
  const mailbox = isPrivate ? null : await sendingMailbox(ctx, subchannelId);

  let to = recipients.to;
  if (!isPrivate && !recipients.toGiven) {
    const customer = await customerAddress(ctx.db.kysely, ticket);
    to = customer ? [customer] : [];
  }
  if (mailbox && !isDraft && to.length === 0) throw new Invalid('to', 'no recipient: the ticket has no customer address, so give one', 'no_recipient');
  const delivery: DeliveryStatus | null = isPrivate ? null : isDraft ? 'draft' : mailbox ? 'queued' : 'stored';

  const storeInput: StoreBody = {
    process: 'false',
    direction: isPrivate ? 'internal' : 'out',
    type: 'html',
    body: text,
    subject: isPrivate ? input.subject ?? rendered?.subject ?? null : replySubject(input.subject ?? rendered?.subject, ticket, mailbox !== null),
    to,
    ccEmails: recipients.cc,
    bccEmails: recipients.bcc,
    attachments: input.attachments ?? undefined,
    private: isPrivate,
    subchannelId: input.subchannelId ?? undefined,
    agentId: input.agentId ?? undefined,
    // A draft changes nothing on the ticket until it is published (status can be given to /send).
    status: isDraft ? undefined : input.status ?? undefined,
  };
  const msg = await prepareMessage(storeInput, undefined, ctx.config.MESSAGE_BODY_MAX_CHARS);
  checkSaysSomething(msg.body, msg.bodyPlain, textField);
  const files = await storeAttachments(ctx, msg.attachments, msg);

  const inserted = await ctx.db.writeTransaction(async (trx) => {
    const locked = await lockTicket(trx, ctx.db.kind, ticketId);
    if (!locked) throw new NotFound('ticket', ticketId, 'ticketId');
    const result = await insertConversation(trx, locked, msg, files, actor, {
      maxAttempts: ctx.config.JOB_MAX_ATTEMPTS,
      realtimeBudgetMs: ctx.config.REALTIME_BUDGET_MS,
      isDraft,
      deliveryStatus: delivery,
      // Stored before the first attempt: every attempt sends the same Message-ID (sendReply.ts).
      messageId: delivery === 'queued' ? newMessageId(mailbox!.email) : null,
    });
    if (delivery === 'queued') {
      await enqueueJob(trx, SEND_REPLY_TASK, { conversationId: result.conversation.id, ticketId }, { jobKey: replyJobKey(ticketId, result.conversation.id), maxAttempts: ctx.config.SMTP_MAX_ATTEMPTS });
    }
    return result;
  });
  if (delivery === 'queued') ctx.notifyJobs();
  return {
    success: true,
    conversationId: inserted.conversation.id,
    ticketId,
    conversation: serializeConversation(inserted.conversation, inserted.attachments),
    eventId: inserted.eventId,
  };
}
