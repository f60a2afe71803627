import { sql, type Kysely } from 'kysely';
import { idColumn, type DbKind } from '../dialect.js';

export const HOOK_CURSOR_KEY = 'eventHooks.dispatchCursor';

// Event hooks: subscriptions, one delivery per (event, hook), and every HTTP attempt.
export function eventHooksMigration(kind: DbKind) {
  const id = idColumn(kind);
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('event_hooks')
        .addColumn('id', 'integer', id)
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('event_types', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        // Events with ids up to this one were recorded before the hook (re)started: not delivered.
        .addColumn('start_event_id', 'bigint', (c) => c.notNull())
        .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled_reason', 'text')
        .addColumn('disabled_at', 'bigint')
        .addColumn('created_by', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('modified_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema.createTable('hook_deliveries')
        .addColumn('id', 'integer', id)
        .addColumn('hook_id', 'integer', (c) => c.notNull().references('event_hooks.id').onDelete('cascade'))
        .addColumn('event_id', 'integer', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_response_code', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .execute();
      // Exactly one delivery per subscriber and event, whatever the dispatchers do.
      await db.schema.createIndex('hook_deliveries_event_hook_uq').unique().on('hook_deliveries').columns(['event_id', 'hook_id']).execute();
      await db.schema.createIndex('hook_deliveries_hook_idx').on('hook_deliveries').columns(['hook_id', 'id']).execute();

      await db.schema.createTable('hook_delivery_attempts')
        .addColumn('id', 'integer', id)
        .addColumn('delivery_id', 'integer', (c) => c.notNull().references('hook_deliveries.id').onDelete('cascade'))
        .addColumn('hook_id', 'integer', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('response_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint', (c) => c.notNull())
        .addColumn('next_retry_at', 'bigint')
        .execute();
      await db.schema.createIndex('hook_delivery_attempts_delivery_idx').on('hook_delivery_attempts').columns(['delivery_id', 'attempt']).execute();

      // The dispatcher starts after the events that exist now: hooks never receive the past.
      const row = await sql<{ m: number | string | null }>`select max(id) as m from events`.execute(db);
      const high = Number(row.rows[0]?.m ?? 0);
      await db.insertInto('settings').values({ key: HOOK_CURSOR_KEY, value: JSON.stringify({ high, pending: [] }) }).execute();
    },
  };
}
