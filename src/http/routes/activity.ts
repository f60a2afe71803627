import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { answers } from '../schemas/responses.js';
import type { AppContext } from '../../context.js';
import { actorOf } from '../auth.js';
import { requireAdmin } from '../../auth/actor.js';
import { ticketActivity } from '../../tickets/activity.js';
import { IdParams, Nullable } from '../schemas/common.js';

const Entry = Type.Object({
  id: Type.String({ description: 'stable per record: conversation:<id>, event:<id>, cortex:<id>:<phase>, delivery:<id>[:attempt-<n>], job:<id>' }),
  at: Type.Integer({ description: 'Unix seconds' }),
  type: Type.String({ description: 'messageReceived, messageStored, an event type (ticketUpdated, ticketCreated, …), aiLanguage, aiIntents, aiExtraction, aiMeterReading, aiFailed, aiRunning, hookDelivery; technical: aiRun, hookDeliveryAttempt, job, conversationStored, attachmentExtracted' }),
  actor: Type.Object({ type: Type.Union([Type.Literal('customer'), Type.Literal('agent'), Type.Literal('ai'), Type.Literal('system')]), id: Nullable(Type.Integer()), name: Nullable(Type.String()) }),
  summary: Type.String(),
  details: Type.Object({}, { additionalProperties: true }),
  technical: Type.Boolean(),
});

export const activityRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/mind/ticket/:id/activity', {
    schema: {
      tags: ['tickets'],
      summary: "The ticket's processing timeline, oldest first",
      description: 'Messages, field changes with who made them, AI phases with their outcome (language, intents with confidence, extracted parameters, meter readings), hook deliveries. `showTechnicalInformation=true` (admins; 403 otherwise) adds store receipts, extraction events, AI run provider/model/timings, delivery attempts and jobs.',
      params: IdParams,
      querystring: Type.Object({
        showTechnicalInformation: Type.Optional(Type.Boolean({ default: false })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 1000 })),
      }, { additionalProperties: true }),
      response: answers({ 200: Type.Object({ success: Type.Boolean(), ticketId: Type.Integer(), total: Type.Integer(), activities: Type.Array(Entry) }) }),
    },
    handler: async (request) => {
      const technical = request.query.showTechnicalInformation === true;
      if (technical) requireAdmin(actorOf(request), 'showTechnicalInformation');
      const r = await ticketActivity(ctx.db, request.params.id, { technical, limit: request.query.limit ?? 1000 });
      return { success: true, ticketId: request.params.id, ...r };
    },
  });
};
