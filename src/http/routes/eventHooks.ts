import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { actorOf } from '../auth.js';
import { IdParams, Offset, Opt } from '../schemas/common.js';
import { parseAllowList } from '../../net/outbound.js';
import { createHook, deleteHook, getHook, listDeliveries, listHooks, updateHook } from '../../events/hooks/hookStore.js';
import { answers, SuccessId } from '../schemas/responses.js';
import { EventHook, HookDeliveriesResponse } from '../schemas/eventResponse.js';


// Event types are checked by the use case, not the schema, so that an unknown one is a 422
// naming `eventTypes[i]` (a schema enum would give a 400 without the list of known names).
const HookBody = {
  url: Type.String({ minLength: 1, maxLength: 2000, description: 'http(s) URL; private, loopback and link-local addresses are refused unless OUTBOUND_ALLOW_HOSTS names them' }),
  eventTypes: Type.Array(Type.Unknown(), { maxItems: 50, description: 'PascalCase hook names, e.g. TicketCreated, ConversationStored (GET /api/mind/event/getEventTypes)' }),
  secret: Opt(Type.String({ maxLength: 500, description: 'at least 16 characters; generated and returned once when omitted' })),
  enabled: Opt(Type.Boolean()),
};

const SIGNING = 'Each delivery is a POST of the event\'s `data` (JSON, verbatim) with headers X-Ticketmind-Event (PascalCase type), '
  + 'X-Ticketmind-Event-Id, X-Ticketmind-Delivery (stable across retries: dedupe on it), X-Ticketmind-Timestamp (Unix seconds) and '
  + 'X-Ticketmind-Signature = "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body). Answer 2xx; 408, 429, 5xx and network errors are '
  + 'retried with exponential backoff (429/503 Retry-After honoured); any other 4xx fails the delivery at once.';

export const eventHookRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const allow = parseAllowList(ctx.config.OUTBOUND_ALLOW_HOSTS);

  app.get('/api/mind/settings/event-hook', {
    config: { admin: true },
    schema: { tags: ['event hooks'], summary: 'Event hooks (admin); secrets are never shown', response: answers({ 200: Type.Object({ success: Type.Boolean(), eventHooks: Type.Array(EventHook) }) }) },
    handler: async () => {
      return { success: true, eventHooks: await listHooks(ctx.db) };
    },
  });
  app.post('/api/mind/settings/event-hook', {
    config: { admin: true },
    schema: {
      tags: ['event hooks'],
      summary: 'Subscribe a URL to event types (admin)',
      description: SIGNING,
      body: Type.Object(HookBody, { additionalProperties: true }),
      response: answers({ 200: Type.Object({ success: Type.Boolean(), id: Type.Integer(), secret: Type.Optional(Type.String({ description: 'only when generated; shown this once' })) }) }),
    },
    handler: async (request) => {
      const actor = actorOf(request);
      return { success: true, ...(await createHook(ctx.db, allow, request.body, actor.agentId)) };
    },
  });
  app.get('/api/mind/settings/event-hook/:id', {
    config: { admin: true },
    schema: { tags: ['event hooks'], summary: 'One event hook (admin)', params: IdParams, response: answers({ 200: Type.Object({ success: Type.Boolean(), eventHook: EventHook }) }) },
    handler: async (request) => {
      return { success: true, eventHook: await getHook(ctx.db, request.params.id) };
    },
  });
  app.patch('/api/mind/settings/event-hook/:id', {
    config: { admin: true },
    schema: {
      tags: ['event hooks'],
      summary: 'Change an event hook (admin); enabling it again clears the failure count and starts after the newest event',
      params: IdParams,
      body: Type.Object({ url: Opt(HookBody.url), eventTypes: Opt(HookBody.eventTypes), secret: HookBody.secret, enabled: HookBody.enabled }, { additionalProperties: true }),
      response: answers({ 200: SuccessId }),
    },
    handler: async (request) => {
      await updateHook(ctx.db, allow, request.params.id, request.body);
      return { success: true, id: request.params.id };
    },
  });
  app.delete('/api/mind/settings/event-hook/:id', {
    config: { admin: true },
    schema: { tags: ['event hooks'], summary: 'Delete an event hook and its delivery log (admin)', params: IdParams, response: answers({ 200: SuccessId }) },
    handler: async (request) => {
      await deleteHook(ctx.db, request.params.id);
      return { success: true, id: request.params.id };
    },
  });
  app.get('/api/mind/settings/event-hook/:id/deliveries', {
    config: { admin: true },
    schema: {
      tags: ['event hooks'],
      summary: 'A hook\'s deliveries, newest first, each with its attempts (admin)',
      params: IdParams,
      querystring: Type.Object({
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        offset: Type.Optional(Offset),
        status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed'), Type.Literal('cancelled')])),
      }),
      response: answers({ 200: HookDeliveriesResponse }),
    },
    handler: async (request) => {
      return { success: true, ...(await listDeliveries(ctx.db, request.params.id, request.query)) };
    },
  });
};
