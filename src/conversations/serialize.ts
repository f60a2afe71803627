import type { AttachmentRow, ConversationRow } from '../db/schema.js';
import { fromJson } from '../db/json.js';


/** Where ticketmind serves an attachment's bytes (same auth as the rest of the API). */
export const attachmentUrl = (a: Pick<AttachmentRow, 'id' | 'ticket_id'>): string => `/api/mind/ticket/${a.ticket_id}/attachment/${a.id}`;

export function serializeAttachment(a: AttachmentRow) {
  const isImage = a.width !== null;
  return {
    id: String(a.id),
    url: a.blob_key ? attachmentUrl(a) : null,
    name: a.name,
    size: a.size,
    ...(isImage ? { width: a.width, height: a.height } : {}),
    inline: a.inline === 1,
    fileEnding: a.file_ending,
    contentType: a.content_type,
    originalUrl: a.original_url,
    risk: a.risk,
    extractedData: null,
    extractionStatus: a.extraction_status,
    extractionData: fromJson<Record<string, unknown> | null>(a.extraction_data, null),
  };
}

/** The contract's `conversation` object (conversation-store.md, Response 200). */
export function serializeConversation(c: ConversationRow, attachments: AttachmentRow[], opts: { includeRawData?: boolean } = {}) {
  return {
    id: c.id,
    ticketId: c.ticket_id,
    type: c.type,
    direction: c.direction,
    private: c.private === 1,
    isDraft: c.is_draft === 1,
    fromEmail: c.from_email,
    fromEmailName: c.from_name,
    agentId: c.agent_id,
    sender: fromJson<Record<string, unknown>>(c.sender, {}),
    toEmail: fromJson<string[]>(c.to_emails, []),
    ccEmails: fromJson<string[]>(c.cc_emails, []),
    bccEmails: fromJson<string[]>(c.bcc_emails, []),
    subject: c.subject,
    body: c.body,
    bodyPlain: c.body_plain,
    bodyClean: c.body_clean,
    content: fromJson<Record<string, unknown>>(c.content, {}),
    intentIds: fromJson<string[]>(c.intent_codes, []),
    cortexRequestId: c.cortex_request_id,
    attachments: attachments.map(serializeAttachment),
    crmNotificationId: c.crm_notification_id,
    externalConversationId: c.external_conversation_id,
    contractId: c.contract_id,
    customerId: c.customer_id,
    ...(opts.includeRawData ? { rawData: fromJson<Record<string, unknown> | null>(c.raw_data, null) } : {}),
    // ours (replies, src/replies): null on customer messages and internal notes
    deliveryStatus: c.delivery_status,
    deliveryError: c.delivery_error,
    smtpResponse: c.smtp_response,
    messageId: c.message_id,
    sentAt: c.sent_at,
    createdAt: c.created_at,
    modifiedAt: c.modified_at,
    deletedAt: c.deleted_at,
  };
}

export type ConversationDto = ReturnType<typeof serializeConversation>;
