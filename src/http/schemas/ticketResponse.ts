import { Type } from '@sinclair/typebox';
import { AnyObject, Nullable } from './common.js';
import { AttachmentResponse } from './conversation.js';

// What src/tickets/serialize.ts and src/tickets/intents.ts return. Ticket dates are Enneo's
// "YYYY-MM-DD HH:MM:SS" UTC strings (conversations and events use Unix seconds).

const EnneoDate = Type.String({ description: '"YYYY-MM-DD HH:MM:SS" (UTC)' });
const Str = Nullable(Type.String());

export const TicketCompact = Type.Object({
  id: Type.Integer(),
  direction: Type.String(),
  from: Str,
  fromName: Str,
  to: Type.Array(Type.String()),
  ccEmails: Type.Array(Type.String()),
  bccEmails: Type.Array(Type.String()),
  subchannelId: Nullable(Type.Integer()),
  channel: Type.String(),
  externalTicketId: Str,
  status: Type.String(),
  priority: Type.String(),
  subject: Type.String(),
  summary: Str,
  sentiment: Str,
  language: Str,
  languageCode: Str,
  aiSupportLevel: Type.String(),
  createdAt: EnneoDate,
  modifiedAt: EnneoDate,
  firstResponseDueBy: Nullable(EnneoDate),
  dueBy: Nullable(EnneoDate),
  closedAt: Nullable(EnneoDate),
  lastMessageAt: Nullable(EnneoDate),
  lastCustomerMessageAt: Nullable(EnneoDate),
  firstResponseAt: Nullable(EnneoDate),
  lastAgentMessageAt: Nullable(EnneoDate),
  contractId: Str,
  customerId: Str,
  tagIds: Type.Array(Type.Integer()),
  agentId: Nullable(Type.Integer()),
  workedOnBy: Type.Unknown({ description: 'free-form JSON, as sent' }),
  cortexRequestId: Nullable(Type.Integer()),
});

export const IntentInfo = Type.Object({ type: Type.Union([Type.Literal('success'), Type.Literal('warning'), Type.Literal('danger'), Type.Literal('neutral')]), message: Type.String() });
const Outcome = Type.Object({ success: Type.Boolean(), message: Type.String(), executedAt: Type.Number(), userId: Type.Union([Type.Number(), Type.Null()]), sent: Type.Boolean(), ticketClosed: Type.Boolean() });
/** An intent in Enneo's shape (src/automation/intentModel.ts serializeIntent). */
export const TicketIntent = Type.Object({
  id: Type.Number(), ticketId: Type.Number(), conversationId: Type.Union([Type.Number(), Type.Null()]), code: Type.String(), name: Type.String(), nameDe: Type.Union([Type.String(), Type.Null()]),
  aiAgentId: Type.Number(), contractId: Type.Union([Type.String(), Type.Null()]), confidence: Type.Number(),
  status: Type.Union([Type.Literal('preview'), Type.Literal('ready'), Type.Literal('executed'), Type.Literal('invalidated')]),
  data: Type.Object({}, { additionalProperties: true }),
  options: Type.Array(Type.Object({ type: Type.String(), name: Type.String(), recommended: Type.Boolean() })),
  infos: Type.Array(IntentInfo), outcome: Type.Union([Outcome, Type.Null()]), actionResult: Type.Unknown(), replyConversationId: Type.Union([Type.Number(), Type.Null()]),
  createdAt: Type.Number(), modifiedAt: Type.Number(),
});
const Addresses = Type.Array(Type.String());

export const Ticket = Type.Object({
  ...TicketCompact.properties,
  tags: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), parentId: Nullable(Type.Integer()), color: Nullable(Type.String()) })),
  spamStatus: Nullable(Type.String({ description: 'null: not judged here (no spam check runs yet)' })),
  customerLegitimation: Nullable(Type.Integer({ description: "Enneo's levels 0-40; null: no customer identification ran" })),
  replyRecipients: Type.Object({ to: Addresses, cc: Addresses, bcc: Addresses }, { description: "the last customer message's sender and cc; bcc is never copied" }),
  emailSubchannelId: Nullable(Type.Integer({ description: 'its own email subchannel, else the default one' })),
  customer: Type.Optional(Nullable(Type.Object({ id: Nullable(Type.String()), contractId: Nullable(Type.String()) }))),
  body: Type.String(),
  bodyPlain: Type.String(),
  bodyClean: Type.String(),
  attachments: Type.Array(AttachmentResponse),
  rawData: Type.Optional(Nullable(AnyObject)),
  intents: Type.Optional(Type.Array(TicketIntent)),
});

export const TicketIntents = Type.Object({
  ticketId: Type.Integer(),
  intentsFound: Type.Integer(),
  aiOutcome: Type.String({ description: "Enneo's full (dark-processed), agentAssist (an intent for a person to act on), customerDetected (the customer is known, no intent), noDetection" }),
  intents: Type.Array(TicketIntent),
});

export const TicketBulkPatchResponse = Type.Object({ success: Type.Boolean(), updated: Type.Integer() });
export const TicketPatchResponse = Type.Object({ success: Type.Boolean(), ticket: Ticket });
