import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { answers } from '../schemas/responses.js';
import type { AppContext } from '../../context.js';
import { actorOf } from '../auth.js';
import { eraseAttachment, eraseTicket } from '../../tickets/eraseTicket.js';
import { Id, IdParams } from '../schemas/common.js';

// GDPR erasure (admin only): src/tickets/eraseTicket.ts holds the rule and the list of tables.
export const erasureRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.delete('/api/mind/ticket/:id', {
    config: { admin: true },
    schema: {
      tags: ['tickets'],
      summary: 'Erase a ticket for good (GDPR; admin)',
      description:
        'Hard-deletes the ticket with its conversations, attachments (and their bytes unless another ticket has the same file), ' +
        'intents, AI runs (cortex requests), events, hook deliveries and jobs, in one transaction. Records a `ticketDeleted` event ' +
        '`{ticketId, userId, reason, deleted}` holding ids and counts only. 404 when the ticket does not exist.',
      params: IdParams,
      response: answers({
        200: Type.Object({
          success: Type.Literal(true),
          ticketId: Type.Integer(),
          eventId: Type.Integer({ description: 'the ticketDeleted event' }),
          deleted: Type.Record(Type.String(), Type.Integer(), { description: 'rows deleted per table' }),
          blobsRemoved: Type.Integer({ description: 'attachment files deleted' }),
        }),
      }),
    },
    handler: async (request) => ({ success: true as const, ...(await eraseTicket(ctx, request.params.id, { userId: actorOf(request).agentId, reason: 'request' })) }),
  });

  app.delete('/api/mind/ticket/:ticketId/attachment/:attachmentId', {
    config: { admin: true },
    schema: {
      tags: ['conversations'],
      summary: 'Erase one attachment (admin)',
      description: 'Deletes the attachment row, its extraction event and its bytes unless another attachment has the same file; records a TicketUpdated event `{changes: {attachmentDeleted: id}}`.',
      params: Type.Object({ ticketId: Id, attachmentId: Id }),
      response: answers({ 200: Type.Object({ success: Type.Literal(true), eventId: Type.Integer(), blobsRemoved: Type.Integer() }) }),
    },
    handler: async (request) => ({ success: true as const, ...(await eraseAttachment(ctx, request.params.ticketId, request.params.attachmentId, actorOf(request).agentId)) }),
  });
};
