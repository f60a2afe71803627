import type { AttachmentRow, TicketRow } from '../db/schema.js';
import { formatEnneoDate } from '../time.js';
import { serializeAttachment } from '../conversations/serialize.js';
import { fromJson } from '../db/json.js';
import type { getTicketIntents } from './intents.js';

/**
 * The columns a compact ticket is made of (search results): no bodies, no raw data. A mail's
 * ticket carries its HTML three times over (body, bodyPlain, bodyClean) and its raw data, so a
 * page of 100 read with `select *` would detoast and parse megabytes it never sends.
 */
export const COMPACT_TICKET_COLUMNS = [
  'id', 'direction', 'from_email', 'from_name', 'to_emails', 'cc_emails', 'bcc_emails', 'subchannel_id', 'channel',
  'external_ticket_id', 'status', 'priority', 'subject', 'summary', 'sentiment', 'language', 'language_code',
  'ai_support_level', 'spam_status', 'created_at', 'modified_at', 'first_response_due_by', 'due_by', 'closed_at',
  'last_message_at', 'last_customer_message_at', 'first_response_at', 'last_agent_message_at', 'contract_id',
  'customer_id', 'agent_id', 'worked_on_by', 'cortex_request_id',
] as const satisfies readonly (keyof TicketRow)[];
export type CompactTicketRow = Pick<TicketRow, (typeof COMPACT_TICKET_COLUMNS)[number]>;

/** Compact row for search results: no bodies, no attachments. */
export function serializeTicketCompact(t: CompactTicketRow, tagIds: number[]) {
  return {
    id: t.id,
    direction: t.direction,
    from: t.from_email,
    fromName: t.from_name,
    to: fromJson<string[]>(t.to_emails, []),
    ccEmails: fromJson<string[]>(t.cc_emails, []),
    bccEmails: fromJson<string[]>(t.bcc_emails, []),
    subchannelId: t.subchannel_id,
    channel: t.channel,
    externalTicketId: t.external_ticket_id,
    status: t.status,
    priority: t.priority,
    subject: t.subject,
    summary: t.summary,
    sentiment: t.sentiment,
    language: t.language,
    languageCode: t.language_code,
    aiSupportLevel: t.ai_support_level,
    createdAt: formatEnneoDate(t.created_at)!,
    modifiedAt: formatEnneoDate(t.modified_at)!,
    firstResponseDueBy: formatEnneoDate(t.first_response_due_by),
    dueBy: formatEnneoDate(t.due_by),
    closedAt: formatEnneoDate(t.closed_at),
    lastMessageAt: formatEnneoDate(t.last_message_at),
    lastCustomerMessageAt: formatEnneoDate(t.last_customer_message_at),
    // An agent's answers the customer sees (tickets/rules.ts messageTimes): first response time, last answer.
    firstResponseAt: formatEnneoDate(t.first_response_at),
    lastAgentMessageAt: formatEnneoDate(t.last_agent_message_at),
    contractId: t.contract_id,
    customerId: t.customer_id,
    tagIds,
    agentId: t.agent_id,
    workedOnBy: fromJson<unknown>(t.worked_on_by, null),
    cortexRequestId: t.cortex_request_id,
  };
}

export interface TicketTag {
  id: number;
  name: string;
  parentId: number | null;
  color: string | null;
}

export interface ReplyRecipients {
  to: string[];
  cc: string[];
  bcc: string[];
}

export interface TicketExtras {
  tags: TicketTag[];
  attachments: AttachmentRow[];
  replyRecipients: ReplyRecipients;
  emailSubchannelId: number | null;
  includeRawData?: boolean;
  includeCustomer?: boolean;
  intents?: Awaited<ReturnType<typeof getTicketIntents>>['intents'];
}

/** The Enneo Ticket object as GET /ticket/{id} returns it (ticket dates are UTC strings). */
export function serializeTicket(t: TicketRow, x: TicketExtras) {
  return {
    ...serializeTicketCompact(t, x.tags.map((tag) => tag.id)),
    tags: x.tags,
    // null says "not judged": no spam check runs yet; legitimation comes from customer identification (src/automation/).
    spamStatus: t.spam_status,
    customerLegitimation: t.customer_legitimation,
    replyRecipients: x.replyRecipients,
    emailSubchannelId: x.emailSubchannelId,
    body: t.body,
    bodyPlain: t.body_plain,
    bodyClean: t.body_clean,
    attachments: x.attachments.map(serializeAttachment),
    ...(x.includeRawData ? { rawData: fromJson<Record<string, unknown> | null>(t.raw_data, null) } : {}),
    ...(x.intents ? { intents: x.intents } : {}),
    // No ERP is connected (erpCacheOnly changes nothing): the customer is what the ticket names.
    ...(x.includeCustomer ? { customer: t.customer_id === null && t.contract_id === null ? null : { id: t.customer_id, contractId: t.contract_id } } : {}),
  };
}
