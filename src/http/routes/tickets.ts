import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { actorOf } from '../auth.js';
import { assertMayActAs } from '../../auth/actAs.js';
import { createTicket } from '../../tickets/createTicket.js';
import { loadTicket } from '../../tickets/readTickets.js';
import { updateTicket, updateTickets } from '../../tickets/updateTicket.js';
import { searchTickets } from '../../tickets/searchTickets.js';
import { getTicketIntents } from '../../tickets/intents.js';
import { IdParams, Id } from '../schemas/common.js';
import { ProcessQuery } from '../schemas/conversation.js';
import { answers } from '../schemas/responses.js';
import { Ticket, TicketBulkPatchResponse, TicketIntents, TicketPatchResponse } from '../schemas/ticketResponse.js';
import { TicketBulkPatchBody, TicketCreateBody, TicketGetQuery, TicketPatchBody } from '../schemas/ticket.js';
import { TicketSearchBody, TicketSearchResponse } from '../schemas/ticketSearch.js';

export const ticketRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/mind/ticket', {
    schema: {
      tags: ['tickets'],
      summary: 'Create a ticket with its first message',
      description:
        'Answers with the ticket itself (as GET /ticket/{id}). `externalTicketId` dedupes: when a ticket with it exists, ' +
        'its status, priority, dates, tags, agent, contract, customer and rawData are updated from the request and it is returned; ' +
        'the message is not stored twice. Create uses `cc`/`bcc` where store uses `ccEmails`/`bccEmails`.',
      querystring: ProcessQuery,
      body: TicketCreateBody,
      response: answers({ 200: Ticket }),
    },
    handler: async (request) => {
      assertMayActAs(actorOf(request), request.body.agentId);
      return createTicket(ctx, request.body, actorOf(request), request.query.process);
    },
  });

  app.get('/api/mind/ticket/:id', {
    schema: {
      tags: ['tickets'],
      summary: 'A ticket (bare object, no envelope)',
      description: 'Carries `tags` [{id, name, parentId, color}], `replyRecipients {to, cc, bcc}` (the last customer message\'s sender and cc; bcc never copied), ' +
        '`emailSubchannelId` (its own email subchannel, else the default one), `spamStatus` and `customerLegitimation` (null: not judged here).',
      params: IdParams,
      querystring: TicketGetQuery,
      response: answers({ 200: Ticket }),
    },
    handler: async (request) => loadTicket(ctx.db, request.params.id, request.query),
  });

  app.patch('/api/mind/ticket/:id', {
    schema: {
      tags: ['tickets'],
      summary: 'Update a ticket',
      description: '`status: "pending"` needs `dueBy` in the future. Records a TicketUpdated event `{userId, changes, ticketId}`.',
      params: IdParams,
      body: TicketPatchBody,
      response: answers({ 200: TicketPatchResponse }),
    },
    handler: async (request) => ({ success: true, ticket: await updateTicket(ctx, request.params.id, request.body, actorOf(request)) }),
  });

  app.patch('/api/mind/ticket', {
    schema: { tags: ['tickets'], summary: 'Update several tickets at once (all or nothing)', body: TicketBulkPatchBody, response: answers({ 200: TicketBulkPatchResponse }) },
    handler: async (request) => updateTickets(ctx, request.body, actorOf(request)),
  });

  app.post('/api/mind/ticket/search', {
    schema: {
      tags: ['tickets'],
      summary: 'Search tickets',
      description:
        'Enneo\'s search DSL. Filters `{key, comparator, value|values|from|to}`: keys t.id, t.status, t.channel ("all" = any), t.channelId, ' +
        't.subchannelId, t.direction, t.priority, t.agentId (also "unassigned"), t.customerId, t.contractId, t.aiSupportLevel, t.spamStatus, ' +
        't.sentiment, t.language, t.languageCode, t.from, t.externalTicketId, t.subject, the dates t.createdAt, t.modifiedAt, t.dueBy, ' +
        't.firstResponseDueBy, t.closedAt, t.lastMessageAt, t.lastCustomerMessageAt, t.modelRunAt, and i.aiAgentId, tt.tagId, ' +
        'tt_matchAny.tagId, tt_matchAll.tagId, tt_matchExact.tagId, t.intents (codes); unprefixed keys are read as t.*. ' +
        '`{"key": "q", "value": …}` (or body `q`) is full text over subject, summary and every message: every word must occur, ' +
        'words match inflected forms by prefix; a number also matches the ticket id, a whole text the contract or customer id. ' +
        'Comparators in, not in (values); =, !=, >, <, >=, <= (value); between, not between (from, to); ours: notIn, like (text keys). ' +
        'Date values: YYYY-MM-DD[ HH:MM:SS] (UTC), Unix seconds, ISO 8601, CURRENT_DATE, CURRENT_TIME, "-7 DAY", "-4 HOUR". ' +
        'orderByField from Enneo\'s whitelist, plus relevance with q. limit default 100, capped at 500; at most 500 filter values in all.',
      body: TicketSearchBody,
      response: answers({ 200: TicketSearchResponse }),
    },
    handler: async (request) => searchTickets(ctx.db, request.body, ctx.config.SEARCH_TOTAL_MAX),
  });

  app.get('/api/mind/intent/byTicketId/:ticketId', {
    schema: { tags: ['intents'], summary: "A ticket's detected intents", params: Type.Object({ ticketId: Id }), response: answers({ 200: TicketIntents }) },
    handler: async (request) => getTicketIntents(ctx.db, request.params.ticketId),
  });
};
