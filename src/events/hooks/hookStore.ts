import type { Kysely, Transaction } from 'kysely';
import type { Db } from '../../db/dialect.js';
import type { Database, EventHookRow, HookDeliveryTable } from '../../db/schema.js';
import { Invalid, NotFound } from '../../errors.js';
import { checkOutboundUrl, OutboundError, type OutboundAllow } from '../../net/outbound.js';
import { nowSeconds } from '../../time.js';
import { EVENT_TYPES, toHookName } from '../eventLog.js';
import { generateSecret } from './signature.js';

// Event hook subscriptions: validation, storage and the admin views. The secret is written once
// and never read back through the API; deliveries sign with it (src/events/hooks/deliver.ts).

export const HOOK_EVENT_NAMES: readonly string[] = EVENT_TYPES.map(toHookName);
const MIN_SECRET = 16;

export interface HookInput {
  url?: string | null;
  eventTypes?: unknown[] | null;
  secret?: string | null;
  enabled?: boolean | null;
}

async function validUrl(url: string, allow: OutboundAllow): Promise<string> {
  try {
    return (await checkOutboundUrl(url.trim(), allow)).href;
  } catch (err) {
    if (err instanceof OutboundError) throw new Invalid('url', err.message, 'url_refused');
    throw err;
  }
}

function validEventTypes(types: unknown[]): string[] {
  if (types.length === 0) throw new Invalid('eventTypes', 'name at least one event type (GET /api/mind/event/getEventTypes lists them)');
  types.forEach((t, i) => {
    if (typeof t === 'string' && HOOK_EVENT_NAMES.includes(t)) return;
    const hint = typeof t === 'string' && HOOK_EVENT_NAMES.includes(toHookName(t)) ? `; hooks use the PascalCase name "${toHookName(t)}"` : '';
    throw new Invalid(`eventTypes[${i}]`, `unknown event type ${JSON.stringify(t)}${hint}; known: ${HOOK_EVENT_NAMES.join(', ')}`, 'unknown_event_type');
  });
  return [...new Set(types as string[])];
}

function validSecret(secret: string): string {
  if (secret.length < MIN_SECRET) throw new Invalid('secret', `must be at least ${MIN_SECRET} characters (omit it to have one generated)`);
  return secret;
}

type Exec = Kysely<Database> | Transaction<Database>;

/** Hooks start after the newest event: a new or re-enabled hook never receives the past. */
async function newestEventId(db: Exec): Promise<number> {
  const row = await db.selectFrom('events').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst();
  return Number(row?.m ?? 0);
}

export function serializeHook(h: EventHookRow) {
  return {
    id: h.id,
    url: h.url,
    eventTypes: JSON.parse(h.event_types) as string[],
    enabled: h.enabled === 1,
    disabledReason: h.disabled_reason,
    disabledAt: h.disabled_at,
    consecutiveFailures: h.consecutive_failures,
    createdBy: h.created_by,
    createdAt: h.created_at,
    modifiedAt: h.modified_at,
  };
}

export async function listHooks(db: Db) {
  return (await db.kysely.selectFrom('event_hooks').selectAll().orderBy('id').execute()).map(serializeHook);
}

async function findHook(db: Exec, id: number): Promise<EventHookRow> {
  const row = await db.selectFrom('event_hooks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('event hook', id, 'id');
  return row;
}

export async function getHook(db: Db, id: number) {
  return serializeHook(await findHook(db.kysely, id));
}

/** Returns the generated secret when none was given: the only time it is shown. */
export async function createHook(db: Db, allow: OutboundAllow, input: HookInput, createdBy: number): Promise<{ id: number; secret?: string }> {
  if (!input.url) throw new Invalid('url', 'is required');
  if (!input.eventTypes) throw new Invalid('eventTypes', 'is required');
  const eventTypes = validEventTypes(input.eventTypes);
  const given = input.secret ?? null;
  const secret = given === null ? generateSecret() : validSecret(given);
  const url = await validUrl(input.url, allow);
  const now = nowSeconds();
  const row = await db.kysely.transaction().execute(async (trx) =>
    trx.insertInto('event_hooks').values({
      url,
      event_types: JSON.stringify(eventTypes),
      secret,
      enabled: input.enabled === false ? 0 : 1,
      start_event_id: await newestEventId(trx),
      disabled_reason: input.enabled === false ? 'created disabled' : null,
      disabled_at: input.enabled === false ? now : null,
      created_by: createdBy,
      created_at: now,
      modified_at: now,
    }).returning('id').executeTakeFirstOrThrow(),
  );
  return given === null ? { id: row.id, secret } : { id: row.id };
}

export async function updateHook(db: Db, allow: OutboundAllow, id: number, input: HookInput): Promise<void> {
  const eventTypes = input.eventTypes == null ? undefined : validEventTypes(input.eventTypes);
  const secret = input.secret == null ? undefined : validSecret(input.secret);
  const url = input.url == null ? undefined : await validUrl(input.url, allow);
  await db.kysely.transaction().execute(async (trx) => {
    const hook = await findHook(trx, id);
    const now = nowSeconds();
    const enabling = input.enabled === true && hook.enabled === 0;
    const disabling = input.enabled === false && hook.enabled === 1;
    await trx.updateTable('event_hooks').set({
      ...(url !== undefined ? { url } : {}),
      ...(eventTypes !== undefined ? { event_types: JSON.stringify(eventTypes) } : {}),
      ...(secret !== undefined ? { secret } : {}),
      ...(enabling ? { enabled: 1, start_event_id: await newestEventId(trx), consecutive_failures: 0, disabled_reason: null, disabled_at: null } : {}),
      ...(disabling ? { enabled: 0, disabled_reason: 'disabled through the API', disabled_at: now } : {}),
      modified_at: now,
    }).where('id', '=', id).execute();
  });
}

export async function deleteHook(db: Db, id: number): Promise<void> {
  const res = await db.kysely.deleteFrom('event_hooks').where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFound('event hook', id, 'id');
}

export interface DeliveryQuery {
  limit?: number;
  offset?: number;
  status?: HookDeliveryTable['status'];
}

/** A hook's deliveries, newest first, each with every attempt made. */
export async function listDeliveries(db: Db, hookId: number, q: DeliveryQuery) {
  await findHook(db.kysely, hookId);
  let base = db.kysely.selectFrom('hook_deliveries').where('hook_id', '=', hookId);
  if (q.status) base = base.where('status', '=', q.status);
  const limit = q.limit ?? 50;
  const offset = q.offset ?? 0;
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const attempts = rows.length === 0 ? [] : await db.kysely.selectFrom('hook_delivery_attempts').selectAll()
    .where('delivery_id', 'in', rows.map((r) => r.id)).orderBy('delivery_id').orderBy('attempt').execute();
  const deliveries = rows.map((d) => ({
    id: d.id,
    eventId: d.event_id,
    eventType: d.event_type,
    status: d.status,
    attemptCount: d.attempts,
    lastResponseCode: d.last_response_code,
    lastError: d.last_error,
    createdAt: d.created_at,
    updatedAt: d.updated_at,
    deliveredAt: d.delivered_at,
    attempts: attempts.filter((a) => a.delivery_id === d.id).map((a) => ({
      attempt: a.attempt,
      status: a.status,
      responseCode: a.response_code,
      durationMs: a.duration_ms,
      error: a.error,
      startedAt: a.started_at,
      finishedAt: a.finished_at,
      nextRetryAt: a.next_retry_at,
    })),
  }));
  return { deliveries, total: Number(total.n), limit, offset };
}

/**
 * Settled deliveries (delivered, failed for good, cancelled) and their attempts (cascade) past the
 * retention. Safe for exactly-once: the dispatcher's cursor is past their events, so nothing
 * recreates them.
 */
export async function pruneSettledDeliveries(db: Db, retentionDays: number, now = nowSeconds()): Promise<number> {
  const res = await db.kysely.deleteFrom('hook_deliveries').where('status', 'in', ['delivered', 'failed', 'cancelled']).where('updated_at', '<', now - retentionDays * 86_400).executeTakeFirst();
  return Number(res.numDeletedRows);
}
