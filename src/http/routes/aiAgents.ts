import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { createAiAgent, deleteAiAgent, getAiAgent, listAiAgents, updateAiAgent } from '../../catalogue/aiAgents.js';
import { getCortexRequest } from '../../ai/pipeline.js';
import { aiText } from '../../ai/aiText.js';
import { detectLanguage } from '../../ai/language.js';
import { NotFound } from '../../errors.js';
import { IdParams, Opt } from '../schemas/common.js';
import { answers, SuccessOnly } from '../schemas/responses.js';
import { AiAgentResponse, AiAgentsResponse, CortexResponse, DetectResponse, IntentModelResponse } from '../schemas/aiResponse.js';
import { Channel } from '../schemas/ticket.js';

const Examples = Type.Record(Type.String({ maxLength: 5 }), Type.Array(Type.String({ maxLength: 5000 }), { maxItems: 10_000 }));
const Name = Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Object({ de: Type.Optional(Type.String({ maxLength: 200 })), en: Type.Optional(Type.String({ maxLength: 200 })) })]);
const AgentBody = {
  name: Opt(Name),
  description: Opt(Type.String({ maxLength: 5000 })),
  examples: Opt(Examples),
  enabled: Opt(Type.Boolean()),
  playbook: Opt(Type.Object({}, { additionalProperties: true, description: 'dark processing: parameters, action, responses, autoExecute, minConfidence, dailyCap (README "Dark processing"); validated, 422 naming the field' })),
};

export const aiAgentRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // Enneo's tooling lists with both spellings; one handler serves both.
  for (const url of ['/api/mind/aiAgents', '/api/mind/aiAgent']) {
    app.get(url, {
      schema: {
        tags: ['ai agents'],
        summary: 'The AI-agent (intent) catalogue',
        description: '`q` matches code, names and description (case-insensitive); `channel` must be a channel name and keeps every agent (each serves all channels here); `limit` caps the list.',
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })), channel: Type.Optional(Type.Union([Channel, Type.Literal('all')])), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: true }),
        response: answers({ 200: AiAgentsResponse }),
      },
      handler: async (request) => ({ success: true, aiAgents: await listAiAgents(ctx.db, request.query) }),
    });
  }
  app.get('/api/mind/aiAgent/:id', {
    schema: { tags: ['ai agents'], summary: 'One AI agent with its training examples', params: IdParams, response: answers({ 200: AiAgentResponse }) },
    handler: async (request) => ({ success: true, aiAgent: await getAiAgent(ctx.db, request.params.id, { withExamples: true }) }),
  });
  app.post('/api/mind/aiAgent', {
    config: { admin: true },
    schema: { tags: ['ai agents'], summary: 'Add an AI agent with training examples per language (admin); retrains in the background', body: Type.Object({ code: Type.String({ maxLength: 100, description: '3 to 100 characters: a lower-case letter, then lower-case letters, digits and _ (no upper case, spaces or punctuation such as ?), e.g. ai_agent_meter_reading; fixed once created, as tickets refer to it', examples: ['ai_agent_meter_reading'] }), ...AgentBody }, { additionalProperties: true }), response: answers({ 200: AiAgentResponse }) },
    handler: async (request) => {
      const aiAgent = await createAiAgent(ctx.db, request.body);
      void ctx.intents.retrain();
      return { success: true, aiAgent };
    },
  });
  app.patch('/api/mind/aiAgent/:id', {
    config: { admin: true },
    schema: { tags: ['ai agents'], summary: 'Change an AI agent (admin); retrains in the background', params: IdParams, body: Type.Object({ code: Opt(Type.String({ maxLength: 100 })), ...AgentBody }, { additionalProperties: true }), response: answers({ 200: AiAgentResponse }) },
    handler: async (request) => {
      const aiAgent = await updateAiAgent(ctx.db, request.params.id, request.body);
      void ctx.intents.retrain();
      return { success: true, aiAgent };
    },
  });
  app.delete('/api/mind/aiAgent/:id', {
    config: { admin: true },
    schema: { tags: ['ai agents'], summary: 'Remove an AI agent (admin); retrains in the background', params: IdParams, response: answers({ 200: SuccessOnly }) },
    handler: async (request) => {
      await deleteAiAgent(ctx.db, request.params.id);
      void ctx.intents.retrain();
      return { success: true };
    },
  });

  app.get('/api/mind/intent/model', {
    schema: { tags: ['intents'], summary: 'The serving intent model: status, version, what it was trained on', response: answers({ 200: IntentModelResponse }) },
    handler: async () => ({ success: true, ...ctx.intents.info() }),
  });
  app.post('/api/mind/intent/detect', {
    schema: {
      tags: ['intents'],
      summary: 'Detect the intents of a text without storing anything: the intents the pipeline would assign, and the model\'s top 5 without a threshold',
      body: Type.Object({ subject: Opt(Type.String({ maxLength: 2000 })), body: Type.String({ minLength: 1, maxLength: 100_000 }), language: Opt(Type.String({ maxLength: 5 })) }),
      response: answers({ 200: DetectResponse }),
    },
    handler: async (request) => {
      const text = aiText([request.body.subject, request.body.body], ctx.config.AI_MAX_TEXT_CHARS);
      const [intents, ranking] = await Promise.all([ctx.intents.detect(text), ctx.intents.rank(text, 5)]);
      // `intents` are what the pipeline would assign (above the model's threshold); `ranking` is
      // what the model thinks, threshold or not, so a customer can see why nothing was assigned.
      return { success: true, language: request.body.language ?? detectLanguage(text), intents, ranking };
    },
  });
  app.get('/api/mind/cortex/:id', {
    schema: { tags: ['intents'], summary: 'One AI run (cortex request): inputs, provider, step timings, outputs, status', params: IdParams, response: answers({ 200: CortexResponse }) },
    handler: async (request) => {
      const cortex = await getCortexRequest(ctx, request.params.id);
      if (!cortex) throw new NotFound('cortex request', request.params.id, 'id');
      return { success: true, cortexRequest: cortex };
    },
  });
};
