import type { Kysely } from 'kysely';
import { idColumn, type DbKind } from '../dialect.js';

// Fetching mailboxes (src/mail/):
// - mailbox_state: per mailbox the IMAP position (UIDVALIDITY, last UID) committed in the same
//   transaction as the conversations it produced, and the lease that lets one process at a time
//   fetch it (lease_until in ms, like the job queue's).
// - mail_messages: the raw message of a fetched conversation (a blob) and where it came from.
// - mail_quarantine: mail set aside instead of stored (cannot be parsed or stored, too large) or
//   never made a ticket (auto-replies, bounces, list mail), with its raw blob when it was read.
// UIDVALIDITY is a 32-bit unsigned number: kept as text so no dialect's integer range matters.
export function mailboxFetchMigration(kind: DbKind) {
  const id = idColumn(kind);
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('mailbox_state')
        .addColumn('subchannel_id', 'integer', (c) => c.primaryKey().references('subchannels.id').onDelete('cascade'))
        .addColumn('uidvalidity', 'text')
        .addColumn('last_uid', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('last_fetch_at', 'bigint')
        .execute();

      await db.schema.createTable('mail_messages')
        .addColumn('conversation_id', 'integer', (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
        .addColumn('subchannel_id', 'integer', (c) => c.notNull())
        .addColumn('uidvalidity', 'text', (c) => c.notNull())
        .addColumn('uid', 'bigint', (c) => c.notNull())
        .addColumn('raw_blob_key', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('mail_messages_blob_idx').on('mail_messages').column('raw_blob_key').execute();

      await db.schema.createTable('mail_quarantine')
        .addColumn('id', 'integer', id)
        .addColumn('subchannel_id', 'integer', (c) => c.notNull().references('subchannels.id').onDelete('cascade'))
        .addColumn('uidvalidity', 'text', (c) => c.notNull())
        .addColumn('uid', 'bigint', (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('error', 'text', (c) => c.notNull())
        .addColumn('raw_blob_hash', 'text')
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('mail_quarantine_subchannel_idx').on('mail_quarantine').columns(['subchannel_id', 'id']).execute();
      await db.schema.createIndex('mail_quarantine_blob_idx').on('mail_quarantine').column('raw_blob_hash').execute();
    },
  };
}
