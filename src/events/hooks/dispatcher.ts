import { Coalescer } from '../../jobs/coalescer.js';
import type { Transaction } from 'kysely';
import type { AppContext } from '../../context.js';
import type { Database } from '../../db/schema.js';
import { claimLockSuffix } from '../../db/dialect.js';
import { HOOK_CURSOR_KEY } from '../../db/migrations/002_event_hooks.js';
import { enqueueJob } from '../../jobs/queue.js';
import { nowSeconds } from '../../time.js';
import { toHookName } from '../eventLog.js';
import { HOOK_DELIVERY_TASK } from './deliver.js';
import { hookDeliveryJobKey, hookQueueName } from '../../jobs/jobKeys.js';

// The outbox side of event hooks. The store path only appends to `events`; this loop turns new
// events into one `hook_deliveries` row per subscribed hook (unique (event_id, hook_id)) and one
// job each, and advances a cursor kept in `settings` — all in one transaction, so a crash either
// keeps or loses the whole pass and a rerun inserts nothing twice.
//
// On PostgreSQL ids are taken at insert but become visible at commit, so a smaller id can appear
// after a larger one. The cursor is therefore {high, pending}: every id <= high was dispatched
// except the `pending` gaps, which are re-read on every pass until they appear or are older than
// GAP_WAIT_MS (then they were rolled back: sequences never reuse an id). SQLite has one writer and
// never leaves such gaps.

const BATCH = 500;
const GAP_WAIT_MS = 60_000;
const MAX_PENDING = 1000;
const POLL_MS = 500;

interface Cursor {
  high: number;
  /** [event id, first seen missing (ms)] */
  pending: Array<[number, number]>;
}

interface Pass {
  /** null: another process holds the cursor right now. */
  high: number | null;
  gaps: number;
  enqueued: number;
  more: boolean;
}

async function dispatchPass(ctx: AppContext, trx: Transaction<Database>): Promise<Pass> {
  const row = await trx.selectFrom('settings').select('value').where('key', '=', HOOK_CURSOR_KEY)
    .modifyEnd(claimLockSuffix(ctx.db.kind)).executeTakeFirst();
  if (!row) return { high: null, gaps: 0, enqueued: 0, more: false };
  const cursor = JSON.parse(row.value) as Cursor;
  const now = Date.now();
  const live = cursor.pending.filter(([, seen]) => now - seen < GAP_WAIT_MS);
  const pendingIds = live.map(([id]) => id);
  const events = await trx.selectFrom('events').select(['id', 'type'])
    .where((eb) => eb.or([eb('id', '>', cursor.high), ...(pendingIds.length > 0 ? [eb('id', 'in', pendingIds)] : [])]))
    .orderBy('id').limit(BATCH).execute();
  if (events.length === 0 && live.length === cursor.pending.length) return { high: cursor.high, gaps: live.length, enqueued: 0, more: false };

  const hooks = await trx.selectFrom('event_hooks').select(['id', 'event_types', 'start_event_id']).where('enabled', '=', 1).execute();
  const subscribers = hooks.map((h) => ({ id: h.id, start: h.start_event_id, names: new Set(JSON.parse(h.event_types) as string[]) }));
  const seen = new Set<number>();
  const rows = [];
  let high = cursor.high;
  const created = nowSeconds();
  for (const e of events) {
    seen.add(e.id);
    if (e.id > high) {
      for (let gap = high + 1; gap < e.id && live.length < MAX_PENDING; gap++) live.push([gap, now]);
      high = e.id;
    }
    const name = toHookName(e.type);
    for (const s of subscribers) {
      if (e.id > s.start && s.names.has(name)) {
        rows.push({ hook_id: s.id, event_id: e.id, event_type: name, status: 'pending' as const, created_at: created, updated_at: created });
      }
    }
  }

  let enqueued = 0;
  for (let i = 0; i < rows.length; i += 200) {
    const inserted = await trx.insertInto('hook_deliveries').values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['event_id', 'hook_id']).doNothing()).returning(['id', 'hook_id']).execute();
    for (const { id, hook_id } of inserted) {
      await enqueueJob(trx, HOOK_DELIVERY_TASK, { deliveryId: id }, {
        jobKey: hookDeliveryJobKey(id), maxAttempts: ctx.config.JOB_MAX_ATTEMPTS, queueName: hookQueueName(hook_id, id, ctx.config.HOOK_MAX_IN_FLIGHT),
      });
      enqueued++;
    }
  }
  const next: Cursor = { high, pending: live.filter(([id]) => !seen.has(id)) };
  await trx.updateTable('settings').set({ value: JSON.stringify(next) }).where('key', '=', HOOK_CURSOR_KEY).execute();
  return { high, gaps: next.pending.length, enqueued, more: events.length === BATCH };
}

/** Runs passes when woken (events recorded in this process) and every POLL_MS otherwise. */
export class HookDispatcher {
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private readonly passes = new Coalescer(() => this.drain());
  /** The highest id this process knows to be dispatched: lets an idle poll skip the transaction. */
  private knownHigh = -1;
  private hasGaps = true;
  /** Refreshed by every poll: without an enabled hook, request-triggered passes are skipped. */
  private hooksEnabled = true;

  constructor(private readonly ctx: AppContext, private readonly pollMs = POLL_MS) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
    this.wake();
  }

  wake(): void {
    if (!this.stopped) void this.passes.request();
  }

  /** After a write request: dispatch at once, unless no hook could want anything. */
  nudge(): void {
    if (this.hooksEnabled) this.wake();
  }

  private async poll(): Promise<void> {
    try {
      const row = await this.ctx.db.kysely.selectFrom('event_hooks').select('id').where('enabled', '=', 1).limit(1).executeTakeFirst();
      this.hooksEnabled = row !== undefined;
    } catch (err) {
      if (!this.stopped) this.ctx.log.warn({ err }, 'event hook poll failed');
    }
    if (this.hooksEnabled) this.wake();
  }

  private async drain(): Promise<void> {
    try {
      for (let i = 0; i < 20 && !this.stopped; i++) {
        if (!this.hasGaps && !(await this.newerThanKnown())) return;
        const pass = await this.ctx.db.kysely.transaction().execute((trx) => dispatchPass(this.ctx, trx));
        if (pass.enqueued > 0) this.ctx.notifyJobs();
        if (pass.high === null) return;
        this.knownHigh = pass.high;
        this.hasGaps = pass.gaps > 0;
        if (!pass.more) return;
        // Catching up on a long backlog: on SQLite the passes would otherwise run back to back
        // without letting the event loop serve requests (see JobRunner.refillSoon).
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      if (!this.stopped) this.ctx.log.error({ err }, 'event hook dispatch failed');
    }
  }

  private async newerThanKnown(): Promise<boolean> {
    const row = await this.ctx.db.kysely.selectFrom('events').select('id').where('id', '>', this.knownHigh).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Runs a pass now and resolves when no pass is under way: every event committed before the
   * call has its delivery rows and jobs. Tests use it (with JobRunner.drainOnce) instead of
   * sleeping past a poll.
   */
  async settled(): Promise<void> {
    if (!this.stopped) await this.passes.request();
    await this.passes.settled();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.passes.settled();
  }
}
