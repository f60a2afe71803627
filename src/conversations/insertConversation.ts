import type { Transaction } from 'kysely';
import type { AttachmentRow, ConversationRow, Database, DeliveryStatus, TicketRow } from '../db/schema.js';
import { nowSeconds } from '../time.js';
import { recordEvents, type NewEvent } from '../events/eventLog.js';
import { enqueueJob } from '../jobs/queue.js';
import { mailboxAddress } from '../mail/mailboxSettings.js';
import { conversationJobKey } from '../jobs/jobKeys.js';
import { customerMessageEventType } from './firstCustomerMessage.js';
import { messageTimes, planTicketChanges } from '../tickets/rules.js';
import { checkReferences, type CheckedReferences } from '../tickets/references.js';
import type { Actor } from '../auth/actor.js';
import type { PreparedMessage } from './prepareMessage.js';
import type { StoredAttachment } from '../attachments/storeAttachments.js';
import { rewriteCids } from '../attachments/inlineImages.js';
import { attachmentUrl } from './serialize.js';

export const PROCESS_TASK = 'processConversation';

type NewConversation = Omit<ConversationRow, 'id'>;

/** The ticket already holds a conversation with this externalConversationId; nothing was written. */
export class RepeatedExternalId extends Error {
  constructor(externalConversationId: string) {
    super(`externalConversationId ${externalConversationId} is already stored on this ticket`);
  }
}

export interface InsertOptions {
  maxAttempts: number;
  /** realtime: the job is the safety net that takes over when the time budget runs out. */
  realtimeBudgetMs: number;
  isNewTicket?: boolean;
  /** messageReferences(), already run by a caller that inserts before this (ticket create) */
  references?: CheckedReferences;
  /** The mail's RFC 5322 Message-ID (no angle brackets): fetched mail and replies set it. */
  messageId?: string | null;
  /** A reply saved as a draft: stored, not an answer yet (no conversationCreated, no ticket times). */
  isDraft?: boolean;
  /** A reply's delivery (src/replies): draft, queued (a send job follows) or stored (no mailbox). */
  deliveryStatus?: DeliveryStatus | null;
}

export interface InsertedConversation {
  conversation: ConversationRow;
  attachments: AttachmentRow[];
  eventId: number;
  jobId: number | null;
}

/** The author of a message: the one named, else the caller for agent messages; customers have none. */
function authorOf(msg: PreparedMessage, actor: Actor): number | null {
  return msg.agentId ?? (msg.direction === 'in' ? null : actor.agentId);
}

/** The reference check (tickets/references.ts) for one message on a ticket of `channel`. */
export function messageReferences(trx: Transaction<Database>, channel: string, msg: PreparedMessage, actor: Actor): Promise<CheckedReferences> {
  return checkReferences(trx, { channel, subchannelId: msg.subchannelId, agentId: authorOf(msg, actor), intentIds: msg.intentIds });
}

/**
 * The write of one message, inside the caller's transaction: the reference check (unless the
 * caller ran it before its own inserts), the conversation and attachment rows, the ticket update,
 * the events and the AI job. Shared by the store endpoint and ticket create.
 */
export async function insertConversation(
  trx: Transaction<Database>,
  ticket: TicketRow,
  msg: PreparedMessage,
  files: StoredAttachment[],
  actor: Actor,
  opts: InsertOptions,
): Promise<InsertedConversation> {
  // Before the first insert: an unknown reference is a 422 and nothing is written.
  const refs = opts.references ?? (await messageReferences(trx, ticket.channel, msg, actor));
  const now = nowSeconds();
  const subchannelId = msg.subchannelId ?? ticket.subchannel_id;
  let mailbox: string | null = null;
  if (refs.subchannel) {
    mailbox = mailboxOf(refs.subchannel.data);
  } else if (subchannelId !== null && msg.direction !== 'in') {
    const sc = await trx.selectFrom('subchannels').select('data').where('id', '=', subchannelId).executeTakeFirst();
    mailbox = mailboxOf(sc?.data ?? null);
  }

  const agentId = authorOf(msg, actor);
  const agent = refs.agent ?? undefined;
  const intentCodes = refs.intentCodes;

  const isAgentMessage = msg.direction !== 'in';
  const sender = isAgentMessage && agent
    ? { id: agent.id, name: agent.name, email: agent.email }
    : { id: null, name: msg.fromName, email: msg.fromEmail, ...(msg.senderInput ?? {}) };

  const values: NewConversation = {
    ticket_id: ticket.id,
    external_conversation_id: msg.externalConversationId,
    type: msg.type,
    direction: msg.direction,
    private: msg.isPrivate ? 1 : 0,
    is_draft: opts.isDraft ? 1 : 0,
    subchannel_id: subchannelId,
    from_email: msg.fromEmail ?? (isAgentMessage ? mailbox : null),
    from_name: msg.fromName ?? (isAgentMessage ? agent?.name ?? null : null),
    agent_id: agentId,
    sender: JSON.stringify(sender),
    to_emails: JSON.stringify(msg.to),
    cc_emails: JSON.stringify(msg.cc),
    bcc_emails: JSON.stringify(msg.bcc),
    subject: msg.subject,
    body: msg.body,
    body_plain: msg.bodyPlain,
    body_clean: msg.bodyClean,
    content: JSON.stringify(msg.content),
    intent_codes: JSON.stringify(intentCodes),
    process: msg.process,
    cortex_request_id: null,
    crm_notification_id: msg.crmNotificationId,
    contract_id: msg.contractId,
    customer_id: msg.customerId,
    raw_data: msg.rawData === null ? null : JSON.stringify(msg.rawData),
    message_id: opts.messageId ?? null,
    delivery_status: opts.deliveryStatus ?? null,
    delivery_error: null,
    smtp_response: null,
    sent_at: null,
    created_at: msg.createdAt,
    modified_at: now,
    deleted_at: null,
  };
  const row = await trx
    .insertInto('conversations')
    .values(values)
    // A repeated externalConversationId inserts nothing (and logs no error on PostgreSQL).
    .onConflict((oc) => oc.columns(['ticket_id', 'external_conversation_id']).doNothing())
    // Only the id: every other column is exactly the value given (no column has a database
    // default here), and reading back the three bodies would copy and decode them once more.
    .returning('id')
    .executeTakeFirst();
  if (!row) throw new RepeatedExternalId(msg.externalConversationId!);
  const conversation: ConversationRow = { id: row.id, ...values };

  const attachments: AttachmentRow[] = [];
  const inlineUrls = new Map<string, string>();
  for (const f of files) {
    const row = await trx
      .insertInto('attachments')
      .values({ ...f.row, conversation_id: conversation.id, ticket_id: ticket.id, created_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    attachments.push(row);
    for (const ref of f.cids) inlineUrls.set(ref, attachmentUrl(row));
  }
  if (inlineUrls.size > 0) {
    conversation.body = rewriteCids(conversation.body, inlineUrls);
    await trx.updateTable('conversations').set({ body: conversation.body }).where('id', '=', conversation.id).execute();
  }

  const { update, changes } = planTicketChanges(ticket, msg.ticketChanges);
  await trx
    .updateTable('tickets')
    .set({
      ...update,
      modified_at: now,
      ...messageTimes(ticket, { direction: msg.direction, isPrivate: msg.isPrivate, isDraft: opts.isDraft === true, at: msg.createdAt }),
    })
    .where('id', '=', ticket.id)
    .execute();
  // The write's events in one insert (recordEvents), in this order.
  const events: NewEvent[] = [];
  if (Object.keys(changes).length > 0) {
    events.push({ type: 'ticketUpdated', ticketId: ticket.id, data: { userId: actor.agentId, changes, ticketId: ticket.id }, createdBy: actor.agentId });
  }

  const eventData = {
    ticketId: ticket.id,
    conversationId: conversation.id,
    userId: actor.agentId,
    crmNotificationId: msg.crmNotificationId,
    direction: msg.direction,
    externalConversationId: msg.externalConversationId,
    ...(opts.deliveryStatus ? { deliveryStatus: opts.deliveryStatus, subchannelId, private: msg.isPrivate } : {}),
  };
  const stored = events.push({ type: 'conversationStored', ticketId: ticket.id, conversationId: conversation.id, data: eventData, createdBy: actor.agentId }) - 1;
  if (isAgentMessage && !opts.isDraft) {
    events.push({ type: 'conversationCreated', ticketId: ticket.id, conversationId: conversation.id, data: eventData, createdBy: actor.agentId });
  }

  // Without AI there is nothing to wait for: the customer-message events fire at once.
  // Otherwise the AI pipeline records them when it has processed the message.
  if (msg.process === 'false' && msg.direction === 'in') {
    const type = opts.isNewTicket ? 'ticketCreated' : customerMessageEventType(trx, ticket.id, conversation.id);
    events.push({ type, ticketId: ticket.id, conversationId: conversation.id, data: eventData, createdBy: actor.agentId });
  }
  const eventId = (await recordEvents(trx, events))[stored]!;

  let jobId: number | null = null;
  if (msg.process !== 'false') {
    jobId = await enqueueJob(trx, PROCESS_TASK, { conversationId: conversation.id, ticketId: ticket.id }, {
      jobKey: conversationJobKey(conversation.id),
      maxAttempts: opts.maxAttempts,
      runAt: msg.process === 'realtime' ? Date.now() + opts.realtimeBudgetMs : undefined,
    });
  }
  return { conversation, attachments, eventId, jobId };
}

function mailboxOf(data: string | null): string | null {
  return mailboxAddress(data ? (JSON.parse(data) as Record<string, unknown>) : null);
}
