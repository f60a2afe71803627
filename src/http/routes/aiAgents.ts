import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { getAiAgent, listAiAgents } from '../../catalogue/aiAgents.js';
import { IdParams } from '../schemas/common.js';

export const aiAgentRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/api/mind/aiAgents', {
    schema: { tags: ['ai agents'], summary: 'The AI-agent (intent) catalogue' },
    handler: async () => ({ success: true, aiAgents: await listAiAgents(ctx.db) }),
  });
  app.get('/api/mind/aiAgent/:id', {
    schema: { tags: ['ai agents'], summary: 'One AI agent with its training examples', params: IdParams },
    handler: async (request) => ({ success: true, aiAgent: await getAiAgent(ctx.db, request.params.id, { withExamples: true }) }),
  });
};
