import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { actorOf } from '../auth.js';
import { getIntent } from '../../tickets/intents.js';
import { autoexecuteTicket, rejectIntent } from '../../automation/autoexecute.js';
import { executeIntent } from '../../automation/execute.js';
import { customerByTicket } from '../../automation/customerSystem.js';
import { NotFound } from '../../errors.js';
import { ticketStats } from '../../automation/stats.js';
import { Id, IdParams, Opt } from '../schemas/common.js';
import { ErrorResponse } from '../schemas/responses.js';
import { IntentInfo as Info, TicketIntent as IntentSchema } from '../schemas/ticketResponse.js';

const Run = Type.Object({
  success: Type.Boolean(), message: Type.String(), dryRun: Type.Boolean(), intent: IntentSchema,
  reply: Type.Union([Type.Object({ language: Type.String(), text: Type.String(), then: Type.Object({}, { additionalProperties: true }), missing: Type.Array(Type.String()) }), Type.Null()]),
  actionRequest: Type.Union([Type.Object({ method: Type.String(), url: Type.String(), headers: Type.Record(Type.String(), Type.String()), body: Type.Object({}, { additionalProperties: true }) }), Type.Null()]),
  actionAnswer: Type.Unknown(), conversationId: Type.Union([Type.Number(), Type.Null()]),
});
const Flag = Type.Optional(Type.Boolean());

export const automationRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/mind/intent/:id', {
    schema: { tags: ['intents'], summary: 'One intent in Enneo\'s shape: status preview|ready|executed|invalidated, data, options, infos, outcome', params: IdParams, response: { '4xx': ErrorResponse, '5xx': ErrorResponse, 200: Type.Object({ success: Type.Boolean(), intent: IntentSchema }) } },
    handler: async (request) => ({ success: true, intent: await getIntent(ctx.db, request.params.id) }),
  });

  app.post('/api/mind/intent/:id/execute', {
    schema: {
      tags: ['intents'],
      summary: 'Execute an intent as the caller: the action, the reply, the follow-up; 200 on success, 207 when the run reports failure',
      description: '`_action`: `execute` (default), `reject` (invalidate it: a person handles the ticket), `preview` (call the action\'s preview phase and render the reply, send nothing). `dryRun: true` calls nothing and sends nothing: the reply text and the action request.',
      params: IdParams,
      body: Type.Optional(Type.Object({ _action: Opt(Type.Union([Type.Literal('execute'), Type.Literal('reject'), Type.Literal('preview')])), dryRun: Opt(Type.Boolean()) }, { additionalProperties: true })),
      response: { '4xx': ErrorResponse, '5xx': ErrorResponse, 200: Run, 207: Run },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const action = request.body?._action ?? 'execute';
      if (action === 'reject' && !request.body?.dryRun) return rejectIntent(ctx, request.params.id, actor);
      const res = await executeIntent(ctx, request.params.id, { user: actor, dryRun: request.body?.dryRun === true, ...(action === 'preview' ? { phase: 'preview' as const } : {}) });
      return reply.code(res.success ? 200 : 207).send(res);
    },
  });

  app.get('/api/mind/customer/byTicketId/:ticketId', {
    schema: {
      tags: ['intents'],
      summary: 'The ticket\'s customer from the configured customer system (cached for a minute) and its legitimation level (0 none, 10–19 recognised, 20 legitimated by rules, 30/40 by a person)',
      params: Type.Object({ ticketId: Id }),
      response: { '4xx': ErrorResponse, '5xx': ErrorResponse, 200: Type.Object({
        success: Type.Boolean(), ticketId: Type.Number(), configured: Type.Boolean(), contractId: Type.Union([Type.String(), Type.Null()]), customerId: Type.Union([Type.String(), Type.Null()]),
        legitimation: Type.Number(), customer: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]), contract: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]), infos: Type.Array(Info),
      }) },
    },
    handler: async (request) => {
      const res = await customerByTicket(ctx, request.params.ticketId);
      if (!res) throw new NotFound('ticket', request.params.ticketId, 'ticketId');
      return { success: true, ...res };
    },
  });

  const Rate = { detected: Type.Number(), automated: Type.Number(), automationRate: Type.Number() };
  app.get('/api/mind/ticket/stats', {
    schema: {
      tags: ['tickets'],
      summary: 'Open tickets by intent and by tag; the automation rate (intents dark-processed successfully / detected) per AI agent and per UTC day',
      querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30 })) }),
      response: { '4xx': ErrorResponse, '5xx': ErrorResponse, 200: Type.Object({
        success: Type.Boolean(),
        openTicketsByIntent: Type.Array(Type.Object({ code: Type.String(), openTickets: Type.Number() })),
        openTicketsByTag: Type.Array(Type.Object({ tagId: Type.Number(), name: Type.String(), openTickets: Type.Number() })),
        automation: Type.Object({
          days: Type.Number(),
          perAgent: Type.Array(Type.Object({ aiAgentId: Type.Number(), code: Type.String(), ...Rate })),
          perDay: Type.Array(Type.Object({ day: Type.String(), ...Rate })),
        }),
      }) },
    },
    handler: async (request) => ({ success: true, ...(await ticketStats(ctx.db, request.query.days ?? 30)) }),
  });

  app.post('/api/mind/ticket/:id/autoexecute', {
    schema: {
      tags: ['intents'],
      summary: 'Dark-process a ticket now (Enneo\'s autoexecute): the gate, then the execution; 200 on success, 207 when the gate blocks or the run reports failure',
      params: IdParams,
      querystring: Type.Object({ executeAgentId: Type.Optional(Id), allowMultipleIntents: Flag, allowWithReplies: Flag, dryRun: Flag }),
      response: { '4xx': ErrorResponse, '5xx': ErrorResponse,
        200: Type.Object({ success: Type.Boolean(), dryRun: Type.Boolean(), message: Type.String(), ticketId: Type.Number(), gate: Type.Array(Type.Object({ intentId: Type.Number(), pass: Type.Boolean(), infos: Type.Array(Info) })), runs: Type.Array(Run) }),
        207: Type.Object({ success: Type.Boolean(), dryRun: Type.Boolean(), message: Type.String(), ticketId: Type.Number(), gate: Type.Array(Type.Object({ intentId: Type.Number(), pass: Type.Boolean(), infos: Type.Array(Info) })), runs: Type.Array(Run) }),
      },
    },
    handler: async (request, reply) => {
      const q = request.query;
      const res = await autoexecuteTicket(ctx, request.params.id, { executeAgentId: q.executeAgentId ?? null, allowMultipleIntents: q.allowMultipleIntents === true, allowWithReplies: q.allowWithReplies === true }, q.dryRun === true);
      return reply.code(res.success ? 200 : 207).send(res);
    },
  });
};
