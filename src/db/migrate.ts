import { Migrator, type Migration } from 'kysely';
import type { Db } from './dialect.js';
import { coreMigration } from './migrations/001_core.js';
import { eventHooksMigration } from './migrations/002_event_hooks.js';
import { aiMigration } from './migrations/003_ai.js';
import { mailMigration } from './migrations/004_mail.js';
import { mailboxFetchMigration } from './migrations/005_mailbox_fetch.js';
import { repliesMigration } from './migrations/006_replies.js';
import { searchMigration } from './migrations/007_search.js';
import { automationMigration } from './migrations/009_automation.js';
import { replyTemplatesMigration } from './migrations/010_reply_templates.js';
import { graphileJobsMigration } from './migrations/011_graphile_jobs.js';
import { scaleIndexesMigration } from './migrations/012_scale_indexes.js';
import { searchPostingsMigration } from './migrations/013_search_postings.js';

// Migrations are listed here in order; each receives the dialect so that the one set serves
// SQLite and PostgreSQL alike.
function migrations(db: Db): Record<string, Migration> {
  return {
    '001_core': coreMigration(db.kind),
    '002_event_hooks': eventHooksMigration(db.kind),
    '003_ai': aiMigration(db.kind),
    '004_mail': mailMigration(db.kind),
    '005_mailbox_fetch': mailboxFetchMigration(db.kind),
    '006_replies': repliesMigration(db.kind),
    '007_search': searchMigration(db.kind),
    '009_automation': automationMigration(db.kind),
    '010_reply_templates': replyTemplatesMigration(db.kind),
    '011_graphile_jobs': graphileJobsMigration(db),
    '012_scale_indexes': scaleIndexesMigration(),
    '013_search_postings': searchPostingsMigration(db.kind),
  };
}

export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrations(db) } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${(error as Error | undefined)?.message ?? 'unknown error'}`);
  }
}
