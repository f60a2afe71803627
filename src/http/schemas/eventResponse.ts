import { Type } from '@sinclair/typebox';
import { AnyObject, Nullable } from './common.js';
import { Seconds } from './responses.js';

// What src/events/eventLog.ts (serializeEvent) and src/events/hooks/hookStore.ts return.

export const Event = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  ticketId: Nullable(Type.Integer()),
  conversationId: Nullable(Type.Integer()),
  data: AnyObject,
  status: Type.String(),
  createdAt: Seconds,
  createdBy: Nullable(Type.Integer()),
});

export const EventSearchResponse = Type.Object({
  success: Type.Boolean(),
  events: Type.Array(Event),
  total: Type.Integer({ description: 'matches, counted up to SEARCH_TOTAL_MAX (default 1,000)' }),
  totalIsCapped: Type.Boolean({ description: 'more match than were counted: total is a lower bound' }),
  offset: Type.Integer(),
  limit: Type.Integer(),
});

export const EventResponse = Type.Object({ success: Type.Boolean(), event: Event });

export const EventTypesResponse = Type.Object({
  success: Type.Boolean(),
  eventTypes: Type.Array(Type.Object({ type: Type.String({ description: 'name in the event log' }), hookName: Type.String({ description: 'name in eventTypes of a hook' }) })),
});

export const EventHook = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  disabledReason: Nullable(Type.String()),
  disabledAt: Nullable(Seconds),
  consecutiveFailures: Type.Integer(),
  createdBy: Nullable(Type.Integer()),
  createdAt: Seconds,
  modifiedAt: Seconds,
});

const DeliveryAttempt = Type.Object({
  attempt: Type.Integer(),
  status: Type.String({ description: 'success, retry, failed' }),
  responseCode: Nullable(Type.Integer()),
  durationMs: Type.Number(),
  error: Nullable(Type.String()),
  startedAt: Seconds,
  finishedAt: Seconds,
  nextRetryAt: Nullable(Seconds),
});

export const HookDeliveriesResponse = Type.Object({
  success: Type.Boolean(),
  deliveries: Type.Array(Type.Object({
    id: Type.Integer(),
    eventId: Type.Integer(),
    eventType: Type.String(),
    status: Type.String({ description: 'pending, delivered, failed, cancelled' }),
    attemptCount: Type.Integer(),
    lastResponseCode: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    createdAt: Seconds,
    updatedAt: Seconds,
    deliveredAt: Nullable(Seconds),
    attempts: Type.Array(DeliveryAttempt),
  })),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});
