import { Type, type Static } from '@sinclair/typebox';
import { DateInput, Id, Opt, AnyObject } from './common.js';
import { messageFields, PriorityInput, TicketStatusInput } from './conversation.js';
import { CHANNELS } from '../../tickets/rules.js';

const EmailList = Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 500 });

export const Channel = Type.Union(CHANNELS.map((c) => Type.Literal(c)));

export const TicketCreateBody = Type.Object(
  {
    ...messageFields,
    channel: Channel,
    cc: Opt(EmailList),
    bcc: Opt(EmailList),
    tags: Opt(Type.Array(Id, { maxItems: 100 })),
    tagIds: Opt(Type.Array(Id, { maxItems: 100 })),
    externalTicketId: Opt(Type.String({ minLength: 1, maxLength: 500 })),
    templateId: Type.Optional(Type.Any()),
    templateData: Type.Optional(Type.Any()),
  },
  { additionalProperties: true },
);
export type TicketCreateBody = Static<typeof TicketCreateBody>;

export const ticketPatchFields = {
  status: Opt(TicketStatusInput),
  priority: Opt(PriorityInput),
  agentId: Opt(Id),
  dueBy: Opt(DateInput),
  firstResponseDueBy: Opt(DateInput),
  tagIds: Opt(Type.Array(Id, { maxItems: 100 })),
  addTagIds: Opt(Type.Array(Id, { maxItems: 100 })),
  removeTagIds: Opt(Type.Array(Id, { maxItems: 100 })),
  contractId: Opt(Type.String({ maxLength: 200 })),
  customerId: Opt(Type.String({ maxLength: 200 })),
  workedOnBy: Type.Optional(Type.Any()),
  rawData: Opt(AnyObject),
};

export const TicketPatchBody = Type.Object(ticketPatchFields, { additionalProperties: true });
export type TicketPatchBody = Static<typeof TicketPatchBody>;

export const TicketBulkPatchBody = Type.Array(Type.Object({ id: Id, ...ticketPatchFields }, { additionalProperties: true }), { minItems: 1, maxItems: 500 });
export type TicketBulkPatchBody = Static<typeof TicketBulkPatchBody>;

export const TicketGetQuery = Type.Object(
  {
    includeIntents: Type.Optional(Type.Boolean({ description: 'adds `intents` (as GET /intent/byTicketId)' })),
    includeRawData: Type.Optional(Type.Boolean({ description: 'adds `rawData`' })),
    includeCustomer: Type.Optional(Type.Boolean({ description: 'adds `customer {id, contractId}` from the ticket (no ERP is connected), or null' })),
    viewing: Type.Optional(Type.Boolean({ description: 'accepted; ticketmind records no viewers, so false and true read alike' })),
    erpCacheOnly: Type.Optional(Type.Boolean({ description: 'accepted; no ERP is connected, so nothing is fetched either way' })),
  },
  { additionalProperties: true },
);
