import { Type, type Static } from '@sinclair/typebox';
import { Filter, Nullable, Offset, Opt } from './common.js';

export const TicketSearchBody = Type.Object(
  {
    filters: Type.Optional(Type.Array(Filter, { maxItems: 50 })),
    q: Opt(Type.String({ maxLength: 500, description: 'full text (ours; Enneo sends it as the filter {"key": "q", "value": …})' })),
    // Enneo caps the limit rather than refusing a larger one: more than 500 answers 500 rows.
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, default: 100, description: 'default 100, capped at 500' })),
    offset: Type.Optional(Offset),
    orderByField: Opt(Type.String({ maxLength: 50 })),
    orderByDirection: Opt(Type.Union([Type.Literal('asc'), Type.Literal('desc'), Type.Literal('ASC'), Type.Literal('DESC')])),
  },
  { additionalProperties: true },
);
export type TicketSearchBody = Static<typeof TicketSearchBody>;

const Str = Type.String();
const NStr = Nullable(Type.String());
const NInt = Nullable(Type.Integer());

/** A compact row: the ticket without bodies and attachments, with its tags and intents (Enneo's search rows). */
export const TicketSearchRow = Type.Object({
  id: Type.Integer(),
  direction: Str,
  from: NStr,
  fromName: NStr,
  to: Type.Array(Str),
  ccEmails: Type.Array(Str),
  bccEmails: Type.Array(Str),
  subchannelId: NInt,
  channel: Str,
  externalTicketId: NStr,
  status: Str,
  priority: Str,
  subject: Str,
  summary: NStr,
  sentiment: NStr,
  language: NStr,
  languageCode: NStr,
  aiSupportLevel: Str,
  spamStatus: NStr,
  createdAt: Str,
  modifiedAt: Str,
  firstResponseDueBy: NStr,
  dueBy: NStr,
  closedAt: NStr,
  lastMessageAt: NStr,
  lastCustomerMessageAt: NStr,
  firstResponseAt: NStr,
  lastAgentMessageAt: NStr,
  contractId: NStr,
  customerId: NStr,
  tagIds: Type.Array(Type.Integer()),
  tags: Type.Array(Type.Object({ id: Type.Integer(), name: Str, parentId: NInt, color: NStr })),
  intents: Type.Array(Type.Object({ id: Type.Integer(), code: Str, name: Str, aiAgentId: Type.Integer(), confidence: Type.Number(), status: Str })),
  agentId: NInt,
  workedOnBy: Type.Unknown(),
  cortexRequestId: NInt,
  relevance: Type.Optional(Type.Number({ description: 'with q: higher is a better match' })),
});

export const TicketSearchResponse = Type.Object({
  success: Type.Boolean(),
  tickets: Type.Array(TicketSearchRow),
  total: Type.Integer({ description: 'matches, counted up to SEARCH_TOTAL_MAX (default 1,000)' }),
  totalIsCapped: Type.Boolean({ description: 'more match than were counted: total is a lower bound' }),
  offset: Type.Integer(),
  limit: Type.Integer(),
});
