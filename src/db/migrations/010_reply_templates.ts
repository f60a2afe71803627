import type { Kysely } from 'kysely';
import { idColumn, type DbKind } from '../dialect.js';

// Reply templates (text modules): a named answer with a subject and a body per language, with
// {{placeholders}} filled when a reply names the template (src/replies/templates.ts).
//   subjects, bodies   JSON {de?: string, en?: string}
export function replyTemplatesMigration(kind: DbKind) {
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('reply_templates')
        .addColumn('id', 'integer', idColumn(kind))
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('subjects', 'text', (c) => c.notNull())
        .addColumn('bodies', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('modified_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
