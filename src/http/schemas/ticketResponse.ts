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

export const TicketIntent = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  nameDe: Str,
  aiAgentId: Type.Integer(),
  confidence: Type.Number(),
  data: AnyObject,
  status: Type.String(),
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
  aiOutcome: Type.String({ description: 'pending, not processed, no intent detected, or "detected <codes>"' }),
  intents: Type.Array(TicketIntent),
});

export const TicketBulkPatchResponse = Type.Object({ success: Type.Boolean(), updated: Type.Integer() });
export const TicketPatchResponse = Type.Object({ success: Type.Boolean(), ticket: Ticket });
