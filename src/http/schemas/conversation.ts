import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, DateInput, Id, Nullable, Opt, ProcessMode } from './common.js';

/** Attachments of one message at most (store, ticket create, a fetched mail). */
export const MAX_ATTACHMENTS = 100;

const Email = Type.String({ maxLength: 1000 });
const EmailList = Type.Array(Email, { maxItems: 500 });

export const AttachmentInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 500 }),
  url: Opt(Type.String({ maxLength: 8192 })),
  base64: Opt(Type.String()),
});

export const Direction = Type.Union([Type.Literal('in'), Type.Literal('out'), Type.Literal('internal')]);
export const TicketStatusInput = Type.String({
  maxLength: 40,
  description: 'open, pending, closed; aliases: resolved → closed, waitingOnCustomer / waitingOnThirdParty → pending',
});
export const PriorityInput = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high'), Type.Literal('urgent')]);

// Fields shared by store and ticket create; the field table is conversation-store.md.
export const messageFields = {
  process: Opt(ProcessMode),
  direction: Opt(Direction),
  from: Opt(Email),
  fromName: Opt(Type.String({ maxLength: 500 })),
  to: Opt(EmailList),
  subject: Opt(Type.String({ maxLength: 2000 })),
  body: Opt(Type.String()),
  bodyPlain: Opt(Type.String()),
  bodyClean: Opt(Type.String()),
  private: Opt(Type.Boolean()),
  subchannelId: Opt(Id),
  status: Opt(TicketStatusInput),
  createdAt: Opt(DateInput),
  firstResponseDueBy: Opt(DateInput),
  dueBy: Opt(DateInput),
  attachments: Opt(Type.Array(AttachmentInput, { maxItems: MAX_ATTACHMENTS })),
  rawData: Opt(AnyObject),
  type: Opt(Type.String({ minLength: 1, maxLength: 40 })),
  contractId: Opt(Type.String({ maxLength: 200 })),
  customerId: Opt(Type.String({ maxLength: 200 })),
  agentId: Opt(Id),
  priority: Opt(PriorityInput),
};

export const StoreBody = Type.Object(
  {
    ...messageFields,
    ccEmails: Opt(EmailList),
    bccEmails: Opt(EmailList),
    externalConversationId: Opt(Type.String({ minLength: 1, maxLength: 500 })),
    sender: Opt(AnyObject),
    content: Opt(AnyObject),
    intentIds: Opt(Type.Array(Id, { maxItems: 100 })),
    crmNotificationId: Opt(Type.Union([Type.String({ maxLength: 500 }), Type.Number()])),
  },
  { additionalProperties: true },
);
export type StoreBody = Static<typeof StoreBody>;

export const ProcessQuery = Type.Object({ process: Type.Optional(Type.Union([Type.Literal('realtime'), Type.Literal('batch'), Type.Literal('false')])) }, { additionalProperties: true });

export const AttachmentResponse = Type.Object({
  id: Type.String(),
  url: Nullable(Type.String()),
  name: Type.String(),
  size: Nullable(Type.Number()),
  width: Type.Optional(Nullable(Type.Number())),
  height: Type.Optional(Nullable(Type.Number())),
  inline: Type.Boolean(),
  fileEnding: Nullable(Type.String()),
  contentType: Nullable(Type.String()),
  originalUrl: Nullable(Type.String()),
  risk: Nullable(Type.String()),
  extractedData: Nullable(AnyObject),
  extractionStatus: Type.String({
    examples: ['pending', 'success', 'needsConfirmation', 'failed', 'skipped'],
    description: 'meter-photo reading: pending | success | needsConfirmation | failed | skipped. `needsConfirmation` = digits read, but below the calibrated confidence; `extractionData` then holds `reading` (the best guess, not used) and `candidates` for a person to confirm',
  }),
  extractionData: Nullable(AnyObject),
});

export const ConversationResponse = Type.Object({
  id: Type.Integer(),
  ticketId: Type.Integer(),
  type: Type.String(),
  direction: Type.String(),
  private: Type.Boolean(),
  isDraft: Type.Boolean(),
  fromEmail: Nullable(Type.String()),
  fromEmailName: Nullable(Type.String()),
  agentId: Nullable(Type.Integer()),
  sender: AnyObject,
  toEmail: Type.Array(Type.String()),
  ccEmails: Type.Array(Type.String()),
  bccEmails: Type.Array(Type.String()),
  subject: Nullable(Type.String()),
  body: Type.String(),
  bodyPlain: Type.String(),
  bodyClean: Type.String(),
  content: AnyObject,
  intentIds: Type.Array(Type.String()),
  cortexRequestId: Nullable(Type.Integer()),
  attachments: Type.Array(AttachmentResponse),
  crmNotificationId: Nullable(Type.String()),
  externalConversationId: Nullable(Type.String()),
  contractId: Nullable(Type.String()),
  customerId: Nullable(Type.String()),
  rawData: Type.Optional(Nullable(AnyObject)),
  deliveryStatus: Nullable(Type.String({ description: 'ours, replies only: draft, queued, sending, sent, failed, stored (no mailbox: an integrator delivers it); null for customer messages and internal notes' })),
  deliveryError: Nullable(Type.String({ description: 'why the delivery failed (or the last retried error while queued)' })),
  smtpResponse: Nullable(Type.String({ description: 'the SMTP server\'s answer to the reply' })),
  messageId: Nullable(Type.String({ description: 'RFC 5322 Message-ID without angle brackets (mail sent or fetched)' })),
  sentAt: Nullable(Type.Integer({ description: 'Unix seconds the SMTP server accepted the reply' })),
  createdAt: Type.Integer(),
  modifiedAt: Type.Integer(),
  deletedAt: Nullable(Type.Integer()),
});

export const StoreResponse = Type.Object({
  success: Type.Boolean(),
  conversationId: Type.Integer(),
  ticketId: Type.Integer(),
  conversation: ConversationResponse,
  eventId: Type.Integer(),
  pending: Type.Optional(Type.Array(Type.String())),
});
