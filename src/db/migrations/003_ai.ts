import type { Kysely } from 'kysely';
import { idColumn, type DbKind } from '../dialect.js';

// One row per AI run (Enneo's "cortex request"): inputs, provider, step timings, outputs.
export function aiMigration(kind: DbKind) {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('cortex_requests')
        .addColumn('id', 'integer', idColumn(kind))
        .addColumn('conversation_id', 'integer', (c) => c.notNull())
        .addColumn('ticket_id', 'integer', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('inputs', 'text', (c) => c.notNull())
        .addColumn('outputs', 'text')
        .addColumn('steps', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .execute();
      await db.schema.createIndex('cortex_requests_conversation_idx').on('cortex_requests').column('conversation_id').execute();
    },
  };
}
