import { type Kysely } from 'kysely';
import { idColumn, type DbKind } from '../dialect.js';

// The core tables. Timestamps are bigint Unix seconds (jobs: ms), booleans 0/1 integers,
// structured values JSON text, so both dialects share one migration.
export function coreMigration(kind: DbKind) {
  const id = idColumn(kind);
  return {
    async up(db: Kysely<any>) {
      await db.schema.createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema.createTable('agents')
        .addColumn('id', 'integer', id)
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('modified_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();

      await db.schema.createTable('sessions')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('agent_id', 'integer', (c) => c.references('agents.id').onDelete('cascade'))
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute();

      await db.schema.createTable('api_keys')
        .addColumn('id', 'integer', id)
        .addColumn('agent_id', 'integer', (c) => c.notNull().references('agents.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('last_chars', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .execute();

      await db.schema.createTable('channels').addColumn('name', 'text', (c) => c.primaryKey()).execute();

      await db.schema.createTable('subchannels')
        .addColumn('id', 'integer', id)
        .addColumn('channel', 'text', (c) => c.notNull().references('channels.name'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('interface', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('data', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema.createTable('tags')
        .addColumn('id', 'integer', id)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'integer', (c) => c.references('tags.id').onDelete('set null'))
        .addColumn('color', 'text')
        .execute();

      await db.schema.createTable('tickets')
        .addColumn('id', 'integer', id)
        .addColumn('external_ticket_id', 'text', (c) => c.unique())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('from_email', 'text')
        .addColumn('from_name', 'text')
        .addColumn('to_emails', 'text', (c) => c.notNull())
        .addColumn('cc_emails', 'text', (c) => c.notNull())
        .addColumn('bcc_emails', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull().references('channels.name'))
        .addColumn('subchannel_id', 'integer', (c) => c.references('subchannels.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('summary', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('body_plain', 'text', (c) => c.notNull())
        .addColumn('body_clean', 'text', (c) => c.notNull())
        .addColumn('sentiment', 'text')
        .addColumn('language', 'text')
        .addColumn('language_code', 'text')
        .addColumn('ai_support_level', 'text', (c) => c.notNull())
        .addColumn('contract_id', 'text')
        .addColumn('customer_id', 'text')
        .addColumn('agent_id', 'integer', (c) => c.references('agents.id'))
        .addColumn('worked_on_by', 'text')
        .addColumn('raw_data', 'text')
        .addColumn('cortex_request_id', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('modified_at', 'bigint', (c) => c.notNull())
        .addColumn('first_response_due_by', 'bigint')
        .addColumn('due_by', 'bigint')
        .addColumn('closed_at', 'bigint')
        .addColumn('last_message_at', 'bigint')
        .addColumn('last_customer_message_at', 'bigint')
        .addColumn('deleted_at', 'bigint')
        .execute();
      for (const col of ['status', 'created_at', 'channel', 'customer_id', 'contract_id']) {
        await db.schema.createIndex(`tickets_${col}_idx`).on('tickets').column(col).execute();
      }

      await db.schema.createTable('ticket_tags')
        .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
        .addColumn('tag_id', 'integer', (c) => c.notNull().references('tags.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('ticket_tags_pk', ['ticket_id', 'tag_id'])
        .execute();
      await db.schema.createIndex('ticket_tags_tag_idx').on('ticket_tags').column('tag_id').execute();

      await db.schema.createTable('conversations')
        .addColumn('id', 'integer', id)
        .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
        .addColumn('external_conversation_id', 'text')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('private', 'integer', (c) => c.notNull())
        .addColumn('is_draft', 'integer', (c) => c.notNull())
        .addColumn('subchannel_id', 'integer')
        .addColumn('from_email', 'text')
        .addColumn('from_name', 'text')
        .addColumn('agent_id', 'integer', (c) => c.references('agents.id'))
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('to_emails', 'text', (c) => c.notNull())
        .addColumn('cc_emails', 'text', (c) => c.notNull())
        .addColumn('bcc_emails', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('body_plain', 'text', (c) => c.notNull())
        .addColumn('body_clean', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('intent_codes', 'text', (c) => c.notNull())
        .addColumn('process', 'text', (c) => c.notNull())
        .addColumn('cortex_request_id', 'integer')
        .addColumn('crm_notification_id', 'text')
        .addColumn('contract_id', 'text')
        .addColumn('customer_id', 'text')
        .addColumn('raw_data', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('modified_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();
      await db.schema.createIndex('conversations_ticket_idx').on('conversations').columns(['ticket_id', 'id']).execute();
      // The dedupe key: one conversation per (ticket, externalConversationId), enforced by the DB.
      await db.schema.createIndex('conversations_external_uq').unique().on('conversations')
        .columns(['ticket_id', 'external_conversation_id']).execute();

      await db.schema.createTable('attachments')
        .addColumn('id', 'integer', id)
        .addColumn('conversation_id', 'integer', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
        .addColumn('ticket_id', 'integer', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('original_url', 'text')
        .addColumn('had_base64', 'integer', (c) => c.notNull())
        .addColumn('blob_key', 'text')
        .addColumn('size', 'bigint')
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('inline', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('file_ending', 'text')
        .addColumn('content_type', 'text')
        .addColumn('risk', 'text')
        .addColumn('extraction_status', 'text', (c) => c.notNull())
        .addColumn('extraction_data', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('attachments_conversation_idx').on('attachments').column('conversation_id').execute();

      await db.schema.createTable('events')
        .addColumn('id', 'integer', id)
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('ticket_id', 'integer')
        .addColumn('conversation_id', 'integer')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'integer')
        .execute();
      await db.schema.createIndex('events_ticket_idx').on('events').columns(['ticket_id', 'id']).execute();
      await db.schema.createIndex('events_type_idx').on('events').columns(['type', 'id']).execute();

      await db.schema.createTable('jobs')
        .addColumn('id', 'integer', id)
        .addColumn('task', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('job_key', 'text', (c) => c.unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        .addColumn('locked_until', 'bigint')
        .addColumn('locked_by', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_ready_idx').on('jobs').columns(['status', 'run_at']).execute();

      await db.schema.createTable('idempotency_keys')
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('response', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['actor', 'key'])
        .execute();

      await db.schema.createTable('ai_agents')
        .addColumn('id', 'integer', id)
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name_de', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('examples', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('modified_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema.createTable('ticket_intents')
        .addColumn('id', 'integer', id)
        .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id').onDelete('cascade'))
        .addColumn('conversation_id', 'integer')
        .addColumn('ai_agent_id', 'integer', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('confidence', 'double precision', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ticket_intents_ticket_idx').on('ticket_intents').column('ticket_id').execute();
    },
  };
}
