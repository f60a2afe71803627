import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../dialect.js';

// Replies (issue 13): the delivery of an outgoing conversation, and the ticket's agent-reply times.
//   conversations.delivery_status  null (a customer message, an internal note) | draft | queued |
//                                  sending (an SMTP attempt started) | sent | failed | stored (no mailbox)
//   delivery_error                 why it failed, or the last retried error while queued
//   smtp_response                  the SMTP server's last answer ("250 2.0.0 Ok: queued as …")
//   sent_at                        Unix seconds of the server's 250
//   tickets.first_response_at      the first agent reply that reached the customer (Enneo's first response time)
//   tickets.last_agent_message_at  the last one
export function repliesMigration(_kind: DbKind) {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('conversations').addColumn('delivery_status', 'text').execute();
      await db.schema.alterTable('conversations').addColumn('delivery_error', 'text').execute();
      await db.schema.alterTable('conversations').addColumn('smtp_response', 'text').execute();
      await db.schema.alterTable('conversations').addColumn('sent_at', 'bigint').execute();
      // The per-mailbox send rate (SMTP_MAX_PER_MINUTE) counts a mailbox's recent sends: only sent rows are in it.
      await db.schema.createIndex('conversations_sent_idx').on('conversations').columns(['subchannel_id', 'sent_at']).where(sql.ref('sent_at'), 'is not', null).execute();
      await db.schema.alterTable('tickets').addColumn('first_response_at', 'bigint').execute();
      await db.schema.alterTable('tickets').addColumn('last_agent_message_at', 'bigint').execute();
    },
  };
}
