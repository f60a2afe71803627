import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, Id, Opt } from './common.js';
import { AttachmentInput, TicketStatusInput } from './conversation.js';

const Email = Type.String({ maxLength: 1000 });
// Enneo's clients send recipient lists; a single address string is accepted as a list of one.
const Recipients = Type.Union([Type.Array(Email, { maxItems: 500 }), Email]);

export const ReplyBody = Type.Object(
  {
    content: Opt(Type.Union([Type.String(), AnyObject], { description: 'the reply (HTML or text); `body` is the same. An object is read as {html|body|message|text}' })),
    body: Opt(Type.String()),
    to: Opt(Recipients),
    cc: Opt(Recipients),
    bcc: Opt(Recipients),
    subject: Opt(Type.String({ maxLength: 2000 })),
    attachments: Opt(Type.Array(AttachmentInput, { maxItems: 100 })),
    isDraft: Opt(Type.Boolean()),
    private: Opt(Type.Boolean({ description: 'an internal note: stored, never mailed' })),
    subchannelId: Opt(Id),
    agentId: Opt(Id),
    template: Opt(Type.Union([Id, Type.Object({ id: Id, data: Opt(AnyObject), language: Opt(Type.String({ maxLength: 5 })) }, { additionalProperties: true })], { description: 'a reply template (GET /api/mind/template) instead of body: its body and subject in the ticket\'s language, {{placeholders}} from the ticket and `data`' })),
    templateId: Opt(Id),
    templateData: Opt(AnyObject),
    status: Opt(TicketStatusInput),
  },
  { additionalProperties: true },
);
export type ReplyBody = Static<typeof ReplyBody>;

export const ConversationPatchBody = Type.Object(
  {
    content: Opt(Type.Union([Type.String(), AnyObject])),
    body: Opt(Type.String()),
    to: Opt(Recipients),
    cc: Opt(Recipients),
    bcc: Opt(Recipients),
    subject: Opt(Type.String({ maxLength: 2000 })),
    isDraft: Opt(Type.Boolean({ description: '`false` publishes a draft through the send path' })),
    status: Opt(TicketStatusInput),
  },
  { additionalProperties: true },
);
export type ConversationPatchBody = Static<typeof ConversationPatchBody>;

export const SendBody = Type.Union([Type.Object({ status: Opt(TicketStatusInput) }, { additionalProperties: true }), Type.Null()]);
export type SendBody = Static<typeof SendBody>;
