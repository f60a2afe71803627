import type { Kysely } from 'kysely';
import type { DbKind } from '../dialect.js';

// The RFC 5322 Message-ID of a conversation that is a mail: set on mail fetched from a mailbox
// (without the angle brackets) and on a reply before it is sent. It is what threading looks up
// (In-Reply-To / References) and what makes the same mail fetched twice land once: unique where set.
export function mailMigration(_kind: DbKind) {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('conversations').addColumn('message_id', 'text').execute();
      await db.schema.createIndex('conversations_message_id_uq').on('conversations').column('message_id').unique().execute();
    },
  };
}
