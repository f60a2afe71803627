import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { getEvent, searchEvents } from '../../events/searchEvents.js';
import { EVENT_TYPES, toHookName } from '../../events/eventLog.js';
import { Filter, IdParams, Offset } from '../schemas/common.js';
import { answers } from '../schemas/responses.js';
import { EventResponse, EventSearchResponse, EventTypesResponse } from '../schemas/eventResponse.js';

// The shared Offset range without its default: query and body are merged (the body wins), so a
// default 0 filled into the body would override an offset sent in the query.
const PageOffset = Type.Optional(Type.Integer({ minimum: Offset.minimum, maximum: Offset.maximum }));

export const eventRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/api/mind/event/search', {
    schema: {
      tags: ['events'],
      summary: 'Search the event log',
      description: 'Paging and order come as query parameters (Enneo); the body may carry them too. Filter keys `e.*`. `includeTraces` and `format` are accepted.',
      querystring: Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        offset: PageOffset,
        orderByField: Type.Optional(Type.String()),
        orderByDirection: Type.Optional(Type.String()),
        includeTraces: Type.Optional(Type.Boolean()),
        format: Type.Optional(Type.String()),
      }, { additionalProperties: true }),
      body: Type.Optional(Type.Object({
        filters: Type.Optional(Type.Array(Filter, { maxItems: 50 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        offset: PageOffset,
        orderByField: Type.Optional(Type.String()),
        orderByDirection: Type.Optional(Type.String()),
      }, { additionalProperties: true })),
      response: answers({ 200: EventSearchResponse }),
    },
    handler: async (request) => searchEvents(ctx.db, { ...request.query, ...(request.body ?? {}) }, ctx.config.SEARCH_TOTAL_MAX),
  });
  app.get('/api/mind/event/getEventTypes', {
    schema: { tags: ['events'], summary: 'Event types: log name and hook name', response: answers({ 200: EventTypesResponse }) },
    handler: async () => ({ success: true, eventTypes: EVENT_TYPES.map((t) => ({ type: t, hookName: toHookName(t) })) }),
  });
  app.get('/api/mind/event/:id', {
    schema: { tags: ['events'], summary: 'One event', params: IdParams, response: answers({ 200: EventResponse }) },
    handler: async (request) => getEvent(ctx.db, request.params.id),
  });
};
