import type { AppContext } from '../../context.js';
import type { Db } from '../../db/dialect.js';
import { PermanentFailure, RetryLater, type RunningJob, type TaskHandler } from '../../jobs/runner.js';
import { outboundRequest, OutboundError, parseAllowList, type OutboundResponse } from '../../net/outbound.js';
import { nowSeconds } from '../../time.js';
import { judgeAttempt, type RetryConfig, type Verdict } from './retryPolicy.js';
import { signDelivery } from './signature.js';

// One job per delivery (jobKey hook-delivery:{id}). The delivery row, not the job, is the truth:
// a delivery that is no longer pending is never sent again, whatever re-runs the job. Receivers
// still get at-least-once (a crash between their 2xx and our commit resends), so they dedupe on
// X-Ticketmind-Delivery, which stays the same across retries.

export const HOOK_DELIVERY_TASK = 'hookDelivery';
const USER_AGENT = 'ticketmind-event-hooks/1';
const RESPONSE_CAP = 64 * 1024;
const ERROR_CAP = 1000;

async function loadDelivery(db: Db, id: number) {
  return db.kysely.selectFrom('hook_deliveries as d')
    .innerJoin('event_hooks as h', 'h.id', 'd.hook_id')
    .innerJoin('events as e', 'e.id', 'd.event_id')
    .select(['d.id', 'd.hook_id', 'd.event_id', 'd.event_type', 'd.status', 'd.attempts', 'h.url', 'h.secret', 'h.enabled', 'e.data'])
    .where('d.id', '=', id)
    .executeTakeFirst();
}
type Delivery = NonNullable<Awaited<ReturnType<typeof loadDelivery>>>;

async function send(d: Delivery, ctx: AppContext, allow: ReturnType<typeof parseAllowList>) {
  // The stored JSON text is sent as is: what the log holds is byte for byte what is signed.
  const body = d.data;
  const timestamp = nowSeconds();
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-ticketmind-event': d.event_type,
    'x-ticketmind-event-id': String(d.event_id),
    'x-ticketmind-delivery': String(d.id),
    'x-ticketmind-timestamp': String(timestamp),
    'x-ticketmind-signature': signDelivery(d.secret, timestamp, body),
  };
  const started = Date.now();
  let res: OutboundResponse | null = null;
  let error: OutboundError | null = null;
  try {
    res = await outboundRequest(d.url, { method: 'POST', headers, body, timeoutMs: ctx.config.HOOK_TIMEOUT_MS, maxBytes: RESPONSE_CAP, truncate: true, allow });
  } catch (err) {
    if (!(err instanceof OutboundError)) throw err;
    error = err;
  }
  return { res, error, started, durationMs: Date.now() - started };
}

async function record(ctx: AppContext, d: Delivery, attempt: number, sent: Awaited<ReturnType<typeof send>>, v: Verdict): Promise<void> {
  const now = nowSeconds();
  const error = v.error?.slice(0, ERROR_CAP) ?? null;
  const code = sent.res?.status ?? null;
  const { HOOK_DISABLE_AFTER_FAILURES: disableAfter } = ctx.config;
  await ctx.db.kysely.transaction().execute(async (trx) => {
    await trx.insertInto('hook_delivery_attempts').values({
      delivery_id: d.id,
      hook_id: d.hook_id,
      attempt,
      status: v.outcome,
      response_code: code,
      error,
      duration_ms: sent.durationMs,
      started_at: Math.floor(sent.started / 1000),
      finished_at: now,
      next_retry_at: v.outcome === 'retry' ? Math.ceil((Date.now() + (v.delayMs ?? 0)) / 1000) : null,
    }).execute();
    const status = v.outcome === 'success' ? 'delivered' : v.outcome === 'failed' ? 'failed' : 'pending';
    await trx.updateTable('hook_deliveries').set({
      status, attempts: attempt, last_response_code: code, last_error: error, updated_at: now,
      ...(v.outcome === 'success' ? { delivered_at: now } : {}),
    }).where('id', '=', d.id).where('status', '=', 'pending').execute();
    if (v.outcome === 'success') {
      await trx.updateTable('event_hooks').set({ consecutive_failures: 0 }).where('id', '=', d.hook_id).where('consecutive_failures', '>', 0).execute();
    } else if (v.outcome === 'failed') {
      const hook = await trx.updateTable('event_hooks').set((eb) => ({ consecutive_failures: eb('consecutive_failures', '+', 1) }))
        .where('id', '=', d.hook_id).returning(['consecutive_failures', 'enabled']).executeTakeFirst();
      if (hook && hook.enabled === 1 && disableAfter > 0 && hook.consecutive_failures >= disableAfter) {
        await trx.updateTable('event_hooks').set({
          enabled: 0,
          disabled_at: now,
          disabled_reason: `disabled after ${hook.consecutive_failures} consecutive failed deliveries; last: ${error ?? 'unknown error'}`.slice(0, ERROR_CAP),
        }).where('id', '=', d.hook_id).execute();
      }
    }
  });
}

/** The delivery task; built once per app so the per-hook counters are per process. */
export function hookDeliveryTask(ctx: AppContext): TaskHandler {
  const allow = parseAllowList(ctx.config.OUTBOUND_ALLOW_HOSTS);
  const retry: RetryConfig = { maxAttempts: ctx.config.HOOK_MAX_ATTEMPTS, baseMs: ctx.config.HOOK_RETRY_BASE_MS, maxMs: ctx.config.HOOK_RETRY_MAX_MS };
  const inFlight = new Map<number, number>();
  // Hooks whose last attempt here failed in transport or took long: only these are held to
  // HOOK_MAX_IN_FLIGHT, so a dead receiver holds at most that many worker slots while healthy
  // hooks use them all (deferring healthy deliveries would only churn the queue).
  // On PostgreSQL the limit holds across processes through named queues instead (jobKeys.ts:
  // hookQueueName, HOOK_MAX_IN_FLIGHT lanes per hook), so this in-memory check never trips there.
  const struggling = new Set<number>();

  return async (payload: { deliveryId: number }, _job: RunningJob) => {
    const d = await loadDelivery(ctx.db, payload.deliveryId);
    if (!d || d.status !== 'pending') return;
    if (d.enabled !== 1) {
      await ctx.db.kysely.updateTable('hook_deliveries').set({ status: 'cancelled', last_error: 'the hook is disabled', updated_at: nowSeconds() })
        .where('id', '=', d.id).where('status', '=', 'pending').execute();
      return;
    }
    const busy = inFlight.get(d.hook_id) ?? 0;
    if (busy >= ctx.config.HOOK_MAX_IN_FLIGHT && struggling.has(d.hook_id)) {
      throw new RetryLater(`hook ${d.hook_id} is slow or failing and has ${busy} deliveries in flight`, Math.round(ctx.config.HOOK_TIMEOUT_MS * (0.5 + Math.random())));
    }
    inFlight.set(d.hook_id, busy + 1);
    let sent: Awaited<ReturnType<typeof send>>;
    try {
      sent = await send(d, ctx, allow);
    } finally {
      const left = (inFlight.get(d.hook_id) ?? 1) - 1;
      if (left > 0) inFlight.set(d.hook_id, left);
      else inFlight.delete(d.hook_id);
    }
    const attempt = d.attempts + 1;
    const verdict = judgeAttempt({
      status: sent.res?.status,
      retryAfter: headerValue(sent.res?.headers['retry-after']),
      ...(sent.error ? { errorKind: sent.error.kind, errorMessage: sent.error.message } : {}),
    }, attempt, retry);
    const slow = sent.durationMs > ctx.config.HOOK_TIMEOUT_MS / 2;
    if (sent.error || (sent.res && sent.res.status >= 500) || slow) struggling.add(d.hook_id);
    else struggling.delete(d.hook_id);

    await record(ctx, d, attempt, sent, verdict);
    if (verdict.outcome === 'retry') {
      const delay = verdict.delayMs ?? 0;
      // The worker polls about once a second; short retries would otherwise wait for that poll.
      if (delay < 60_000) setTimeout(() => ctx.notifyJobs(), delay + 5).unref();
      throw new RetryLater(`delivery ${d.id} attempt ${attempt}: ${verdict.error}`, delay);
    }
    if (verdict.outcome === 'failed') throw new PermanentFailure(`delivery ${d.id} failed: ${verdict.error}`);
  };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
