import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { answers, SuccessOnly } from '../schemas/responses.js';
import type { AppContext } from '../../context.js';
import { actorOf } from '../auth.js';
import { assertMayActAs } from '../../auth/actAs.js';
import { replyToTicket } from '../../replies/replyToTicket.js';
import { deleteConversation, patchConversation, sendConversation } from '../../replies/drafts.js';
import { ConversationResponse, StoreResponse } from '../schemas/conversation.js';
import { ConversationPatchBody, ReplyBody, SendBody } from '../schemas/reply.js';
import { Id } from '../schemas/common.js';

const ConversationParams = Type.Object({ ticketId: Id, conversationId: Id });
const OneConversation = Type.Object({ success: Type.Boolean(), conversation: ConversationResponse });

export const replyRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/mind/ticket/:ticketId/conversation/reply', {
    schema: {
      tags: ['conversations'],
      summary: 'Reply to a ticket (an agent\'s answer, a draft or an internal note)',
      description: [
        'Enneo\'s reply. Stored like a store with direction `out` (same rules, events, hooks); `private: true` is an internal note (direction `internal`), never mailed.',
        '- On an email subchannel with SMTP settings the reply is mailed by a durable job: `deliveryStatus` queued → sent (with `smtpResponse`, `messageId`, `sentAt`) or failed (with `deliveryError`).',
        '- Without a mailbox (portal, letter, chat, an email subchannel without SMTP) it is `stored`; the ConversationCreated event carries it to an integrator\'s hook.',
        '- `isDraft: true` stores it as `draft`; `POST …/conversation/{id}/send` or PATCH with `isDraft: false` sends it.',
        '- `to` defaults to the customer (the last customer message\'s sender, else the ticket\'s); `subject` to "Re: <ticket subject> [#<id>]" — the tag threads the customer\'s answer.',
        '- `template` is not available yet (a non-empty value is a 422).',
      ].join('\n'),
      params: Type.Object({ ticketId: Id }),
      body: ReplyBody,
      response: answers({ 200: StoreResponse }),
    },
    handler: async (request) => {
      assertMayActAs(actorOf(request), request.body.agentId);
      return replyToTicket(ctx, request.params.ticketId, request.body, actorOf(request));
    },
  });

  app.post('/api/mind/ticket/:ticketId/conversation/:conversationId/send', {
    schema: {
      tags: ['conversations'],
      summary: 'Send a draft (or a failed reply once more, with its Message-ID)',
      description: '409 for anything but a draft or a failed reply. `status` changes the ticket as a reply does.',
      params: ConversationParams,
      body: Type.Optional(SendBody),
      response: answers({ 200: Type.Object({ success: Type.Boolean(), conversationId: Type.Integer(), ticketId: Type.Integer(), conversation: ConversationResponse }) }),
    },
    handler: async (request) => {
      const { ticketId, conversationId } = request.params;
      return sendConversation(ctx, ticketId, conversationId, actorOf(request), request.body?.status ?? null);
    },
  });

  app.patch('/api/mind/ticket/:ticketId/conversation/:conversationId', {
    schema: {
      tags: ['conversations'],
      summary: 'Edit a draft or an internal note',
      description: 'Drafts and internal notes only (409 otherwise). `isDraft: false` publishes a draft through the send path.',
      params: ConversationParams,
      body: ConversationPatchBody,
      response: answers({ 200: OneConversation }),
    },
    handler: async (request) => {
      const { ticketId, conversationId } = request.params;
      return patchConversation(ctx, ticketId, conversationId, request.body, actorOf(request));
    },
  });

  app.delete('/api/mind/ticket/:ticketId/conversation/:conversationId', {
    schema: {
      tags: ['conversations'],
      summary: 'Delete a draft or an internal note',
      description: 'Drafts and internal notes only (409 otherwise); the conversation keeps its row with `deletedAt` set and leaves the lists.',
      params: ConversationParams,
      response: answers({ 200: SuccessOnly }),
    },
    handler: async (request) => deleteConversation(ctx, request.params.ticketId, request.params.conversationId),
  });
};
