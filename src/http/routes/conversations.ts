import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { actorOf } from '../auth.js';
import { assertMayActAs } from '../../auth/actAs.js';
import { storeConversation } from '../../conversations/storeConversation.js';
import { listConversations, loadConversation } from '../../conversations/readConversations.js';
import { NotFound } from '../../errors.js';
import { ConversationResponse, ProcessQuery, StoreBody, StoreResponse } from '../schemas/conversation.js';
import { Id, Offset } from '../schemas/common.js';
import { answers } from '../schemas/responses.js';

const TicketParams = Type.Object({ ticketId: Id });

export const conversationRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/mind/ticket/:ticketId/conversation/store', {
    schema: {
      tags: ['conversations'],
      summary: 'Store a conversation (message) on a ticket',
      description: [
        'The contract of conversation-store.md. Lenient and strict rules taken where the reference is silent:',
        '- `process` in the body wins over `?process=`; JSON `false` equals "false".',
        '- Invalid addresses (e.g. the reference placeholder "<string>") are a 422 naming the entry.',
        '- Unknown `intentIds`, `agentId` or a `subchannelId` outside the ticket\'s channel are a 422.',
        '- An empty `content` object counts as not given: `content.message` is then the clean text.',
        '- The same `externalConversationId` on the same ticket returns the first conversation (no second row, no second event).',
        '- `Idempotency-Key` header: the first response is replayed for a repeat of the same request.',
      ].join('\n'),
      params: TicketParams,
      querystring: ProcessQuery,
      body: StoreBody,
      response: answers({ 200: StoreResponse }),
    },
    handler: async (request) => {
      assertMayActAs(actorOf(request), request.body.agentId);
      return storeConversation(ctx, request.params.ticketId, request.body, actorOf(request), request.query.process);
    },
  });

  app.get('/api/mind/ticket/:ticketId/conversation', {
    schema: {
      tags: ['conversations'],
      summary: 'List the conversations of a ticket',
      params: TicketParams,
      querystring: Type.Object({
        // One value or several (repeat the parameter, or separate by commas): OR within a filter, AND across.
        type: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 50 })),
        direction: Type.Optional(Type.Array(Type.String({ maxLength: 10 }), { maxItems: 10 })),
        private: Type.Optional(Type.Array(Type.Boolean(), { maxItems: 2 })),
        senderId: Type.Optional(Type.Array(Id, { maxItems: 100, description: 'the author agent of the message' })),
        includeRawData: Type.Optional(Type.Boolean()),
        // Enneo's spec names no paging; ours: a page of at most 500, oldest first (every body of a long ticket at once was 96 MB).
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        offset: Type.Optional(Offset),
      }, { additionalProperties: true }),
      response: answers({ 200: Type.Object({ success: Type.Boolean(), conversations: Type.Array(ConversationResponse) }) }),
    },
    handler: async (request) => ({ success: true, conversations: await listConversations(ctx.db, request.params.ticketId, request.query) }),
  });

  app.get('/api/mind/ticket/:ticketId/conversation/:conversationId', {
    schema: {
      tags: ['conversations'],
      summary: 'One conversation of a ticket',
      params: Type.Object({ ticketId: Id, conversationId: Id }),
      querystring: Type.Object({ includeRawData: Type.Optional(Type.Boolean()) }, { additionalProperties: true }),
      response: answers({ 200: Type.Object({ success: Type.Boolean(), conversation: ConversationResponse }) }),
    },
    handler: async (request) => {
      const { ticketId, conversationId } = request.params;
      const conversation = await loadConversation(ctx.db, ticketId, conversationId, request.query);
      if (!conversation) throw new NotFound('conversation', conversationId, 'conversationId');
      return { success: true, conversation };
    },
  });
};
