import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { createAiAgent, deleteAiAgent, getAiAgent, listAiAgents, updateAiAgent } from '../../catalogue/aiAgents.js';
import { getCortexRequest } from '../../ai/pipeline.js';
import { aiText } from '../../ai/aiText.js';
import { detectLanguage } from '../../ai/language.js';
import { NotFound } from '../../errors.js';
import { IdParams, Nullable, Opt } from '../schemas/common.js';

const Examples = Type.Record(Type.String({ maxLength: 5 }), Type.Array(Type.String({ maxLength: 5000 }), { maxItems: 10_000 }));
const Name = Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Object({ de: Type.Optional(Type.String({ maxLength: 200 })), en: Type.Optional(Type.String({ maxLength: 200 })) })]);
const AgentBody = {
  name: Opt(Name),
  description: Opt(Type.String({ maxLength: 5000 })),
  examples: Opt(Examples),
  enabled: Opt(Type.Boolean()),
  playbook: Opt(Type.Object({}, { additionalProperties: true, description: 'dark processing: parameters, action, responses, autoExecute, minConfidence, dailyCap (README "Dark processing"); validated, 422 naming the field' })),
};

const IntentScore = Type.Object({ code: Type.String(), confidence: Type.Number({ minimum: 0, maximum: 1, description: 'calibrated on held-out examples of the catalogue' }) });

export const aiAgentRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/mind/aiAgents', {
    schema: { tags: ['ai agents'], summary: 'The AI-agent (intent) catalogue' },
    handler: async () => ({ success: true, aiAgents: await listAiAgents(ctx.db) }),
  });
  app.get('/api/mind/aiAgent/:id', {
    schema: { tags: ['ai agents'], summary: 'One AI agent with its training examples', params: IdParams },
    handler: async (request) => ({ success: true, aiAgent: await getAiAgent(ctx.db, request.params.id, { withExamples: true }) }),
  });
  app.post('/api/mind/aiAgent', {
    config: { admin: true },
    schema: { tags: ['ai agents'], summary: 'Add an AI agent with training examples per language (admin); retrains in the background', body: Type.Object({ code: Type.String({ maxLength: 100, description: '3 to 100 characters: a lower-case letter, then lower-case letters, digits and _ (no upper case, spaces or punctuation such as ?), e.g. ai_agent_meter_reading; fixed once created, as tickets refer to it', examples: ['ai_agent_meter_reading'] }), ...AgentBody }, { additionalProperties: true }) },
    handler: async (request) => {
      const aiAgent = await createAiAgent(ctx.db, request.body);
      void ctx.intents.retrain();
      return { success: true, aiAgent };
    },
  });
  app.patch('/api/mind/aiAgent/:id', {
    config: { admin: true },
    schema: { tags: ['ai agents'], summary: 'Change an AI agent (admin); retrains in the background', params: IdParams, body: Type.Object({ code: Opt(Type.String({ maxLength: 100 })), ...AgentBody }, { additionalProperties: true }) },
    handler: async (request) => {
      const aiAgent = await updateAiAgent(ctx.db, request.params.id, request.body);
      void ctx.intents.retrain();
      return { success: true, aiAgent };
    },
  });
  app.delete('/api/mind/aiAgent/:id', {
    config: { admin: true },
    schema: { tags: ['ai agents'], summary: 'Remove an AI agent (admin); retrains in the background', params: IdParams },
    handler: async (request) => {
      await deleteAiAgent(ctx.db, request.params.id);
      void ctx.intents.retrain();
      return { success: true };
    },
  });

  app.get('/api/mind/intent/model', {
    schema: { tags: ['intents'], summary: 'The serving intent model: status, version, what it was trained on' },
    handler: async () => ({ success: true, ...ctx.intents.info() }),
  });
  app.post('/api/mind/intent/detect', {
    schema: {
      tags: ['intents'],
      summary: 'Detect the intents of a text without storing anything: the intents the pipeline would assign, and the model\'s top 5 without a threshold',
      body: Type.Object({ subject: Opt(Type.String({ maxLength: 2000 })), body: Type.String({ minLength: 1, maxLength: 100_000 }), language: Opt(Type.String({ maxLength: 5 })) }),
      response: {
        200: Type.Object({
          success: Type.Boolean(),
          language: Nullable(Type.String()),
          intents: Type.Array(IntentScore, { description: 'what the pipeline would assign: confidence at or above the model\'s threshold (GET /api/mind/intent/model)' }),
          ranking: Type.Array(IntentScore, { description: 'the model\'s best five, without a threshold' }),
        }),
      },
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
    schema: { tags: ['intents'], summary: 'One AI run (cortex request): inputs, provider, step timings, outputs, status', params: IdParams },
    handler: async (request) => {
      const cortex = await getCortexRequest(ctx, request.params.id);
      if (!cortex) throw new NotFound('cortex request', request.params.id, 'id');
      return { success: true, cortexRequest: cortex };
    },
  });
};
