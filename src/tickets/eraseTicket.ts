import type { Transaction } from 'kysely';
import type { AppContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { NotFound } from '../errors.js';
import { recordEvent } from '../events/eventLog.js';
import type { Db } from '../db/dialect.js';
import { conversationJobKey, hookDeliveryJobKey, replyJobKeyPrefix } from '../jobs/jobKeys.js';
import { deleteJobs, deleteKeylessJobs } from '../jobs/queue.js';
import { removeUnreferencedBlobs } from '../attachments/sweep.js';
import { SEND_REPLY_TASK } from '../replies/delivery.js';
import { lockTicket } from './readTickets.js';

// GDPR erasure: the ONE place that knows every table holding a ticket's data. A ticket is
// hard-deleted with everything derived from it, in one transaction; the bytes of its attachments
// follow once no other attachment refers to the same (content-addressed) blob.
//
// test/clients/erasureTables.test.ts reads the schema of both databases and fails when a table
// with a `ticket_id` column is missing from TICKET_ID_TABLES: a new table must be erased here.

/** Tables with a `ticket_id` column, deleted by it, children before parents (foreign keys). */
export const TICKET_ID_TABLES = ['ticket_tags', 'ticket_intents', 'attachments', 'cortex_requests', 'events', 'conversations'] as const;

/**
 * Tables holding ticket data without a `ticket_id` column, and how they are reached:
 * events of the ticket → their hook deliveries → the delivery attempts; jobs by their key
 * (`conversation:<id>`, `hook-delivery:<id>`).
 */
export const LINKED_TABLES = {
  hook_delivery_attempts: 'delivery_id of the hook_deliveries below',
  hook_deliveries: 'event_id of the events of the ticket',
  jobs: 'job_key conversation:<conversation id> and hook-delivery:<delivery id>',
  idempotency_keys: 'stored answers that are the ticket ({"id":N,…), hold it ("ticket":{"id":N,…) or one of its conversations ("ticketId":N,…)',
} as const;

/**
 * The full-text index (migrations 007 and 013): kept by database triggers, which remove a ticket's rows
 * when its ticket and conversation rows are deleted above. Per dialect: PostgreSQL's two tables
 * have a ticket_id column, SQLite's one FTS5 table encodes it in the rowid.
 */
export const INDEX_TABLES = {
  ticket_search: 'PostgreSQL: a trigger deletes the row with its ticket',
  conversation_search: 'PostgreSQL: a trigger deletes the rows with their conversations',
  search_postings: 'PostgreSQL: a trigger deletes each word of the ticket with the last of its rows above that holds it',
  search_fts: 'SQLite: triggers delete the rows with their ticket and conversations',
} as const;

export interface ErasureResult {
  ticketId: number;
  /** Rows deleted per table. */
  deleted: Record<string, number>;
  /** Blob files removed (bytes no other attachment refers to). */
  blobsRemoved: number;
  /** The ticketDeleted event recorded in the erasing transaction. */
  eventId: number;
}

/**
 * Erases one ticket. `userId` is who asked (null: the retention job). The ticketDeleted event
 * holds ids and counts only, never personal data: it stays after the erasure for CRMs and hooks.
 */
export async function eraseTicket(ctx: AppContext, ticketId: number, opts: { userId: number | null; reason: 'request' | 'retention' }): Promise<ErasureResult> {
  const startedMs = Date.now();
  const { deleted, blobKeys, eventId } = await ctx.db.kysely.transaction().execute(async (trx) => {
    // The row lock (PostgreSQL) waits for a store of this ticket in flight and keeps later ones out.
    const ticket = await lockTicket(trx, ctx.db.kind, ticketId);
    if (!ticket) throw new NotFound('ticket', ticketId, 'ticketId');
    const r = await deleteTicketRows(ctx.db, trx, ticketId);
    const eventId = await recordEvent(trx, {
      type: 'ticketDeleted', ticketId, createdBy: opts.userId,
      data: { ticketId, userId: opts.userId, reason: opts.reason, deleted: r.deleted },
    });
    return { ...r, eventId };
  });
  const blobsRemoved = await removeUnreferencedBlobs(ctx, blobKeys, startedMs);
  ctx.log.info({ ticketId, deleted, blobsRemoved, reason: opts.reason }, 'ticket erased');
  return { ticketId, deleted, blobsRemoved, eventId };
}

/** Deletes one attachment row and, when no other attachment refers to them, its bytes. */
export async function eraseAttachment(ctx: AppContext, ticketId: number, attachmentId: number, userId: number): Promise<{ blobsRemoved: number; eventId: number }> {
  const startedMs = Date.now();
  const { blobKey, eventId } = await ctx.db.kysely.transaction().execute(async (trx) => {
    if (!(await lockTicket(trx, ctx.db.kind, ticketId))) throw new NotFound('ticket', ticketId, 'ticketId');
    const row = await trx.deleteFrom('attachments').where('id', '=', attachmentId).where('ticket_id', '=', ticketId)
      .returning(['id', 'conversation_id', 'blob_key']).executeTakeFirst();
    if (!row) throw new NotFound('attachment', attachmentId, 'attachmentId');
    // Extraction events carry what was read from the file (a meter value, an OCR text).
    await trx.deleteFrom('events').where('ticket_id', '=', ticketId).where('type', '=', 'attachmentExtracted')
      .where('data', 'like', `%"attachmentId":${attachmentId},%`).execute();
    const eventId = await recordEvent(trx, {
      type: 'ticketUpdated', ticketId, conversationId: row.conversation_id, createdBy: userId,
      data: { userId, changes: { attachmentDeleted: attachmentId }, ticketId },
    });
    return { blobKey: row.blob_key, eventId };
  });
  const blobsRemoved = await removeUnreferencedBlobs(ctx, blobKey ? [blobKey] : [], startedMs);
  return { blobsRemoved, eventId };
}

async function deleteTicketRows(db: Db, trx: Transaction<Database>, ticketId: number) {
  const deleted: Record<string, number> = {};
  const count = (table: string, res: { numDeletedRows: bigint } | undefined) => {
    deleted[table] = (deleted[table] ?? 0) + Number(res?.numDeletedRows ?? 0);
  };
  const conversationIds = (await trx.selectFrom('conversations').select('id').where('ticket_id', '=', ticketId).execute()).map((r) => r.id);
  const eventIds = (await trx.selectFrom('events').select('id').where('ticket_id', '=', ticketId).execute()).map((r) => r.id);
  const deliveryIds = eventIds.length === 0 ? [] : (await trx.selectFrom('hook_deliveries').select('id').where('event_id', 'in', eventIds).execute()).map((r) => r.id);
  const blobKeys = (await trx.selectFrom('attachments').select('blob_key').where('ticket_id', '=', ticketId).where('blob_key', 'is not', null).execute())
    .map((r) => r.blob_key!);
  // The raw messages of fetched mail (src/mail/) hold the whole mail: their rows go with the
  // conversations (ON DELETE CASCADE), their bytes with the attachment files below.
  for (const ids of chunks(conversationIds)) {
    blobKeys.push(...(await trx.selectFrom('mail_messages').select('raw_blob_key').where('conversation_id', 'in', ids).execute()).map((r) => r.raw_blob_key));
    count('mail_messages', await trx.deleteFrom('mail_messages').where('conversation_id', 'in', ids).executeTakeFirst());
  }

  for (const ids of chunks(deliveryIds)) {
    count('hook_delivery_attempts', await trx.deleteFrom('hook_delivery_attempts').where('delivery_id', 'in', ids).executeTakeFirst());
    count('hook_deliveries', await trx.deleteFrom('hook_deliveries').where('id', 'in', ids).executeTakeFirst());
  }
  const jobKeys = [...conversationIds.map(conversationJobKey), ...deliveryIds.map(hookDeliveryJobKey)];
  const jobsDeleted = (n: number) => count('jobs', { numDeletedRows: BigInt(n) });
  for (const keys of chunks(jobKeys)) jobsDeleted(await deleteJobs(db, trx, { keys }));
  // Reply sending jobs are keyed by their ticket (jobKeys.ts); older ones carried no key and
  // name the ticket in their payload only (SQLite's jobs table).
  jobsDeleted(await deleteJobs(db, trx, { keyPrefix: replyJobKeyPrefix(ticketId) }));
  jobsDeleted(await deleteKeylessJobs(trx, SEND_REPLY_TASK, `"ticketId":${ticketId}}`));
  // Replayed answers quote the ticket (create, PATCH) or a message of it (store). Without its row
  // a repeat of such a request runs again and meets the erased ticket (404) instead of a copy.
  count('idempotency_keys', await trx.deleteFrom('idempotency_keys').where((eb) => eb.or([
    eb('response', 'like', `{"id":${ticketId},%`),
    eb('response', 'like', `%"ticket":{"id":${ticketId},%`),
    eb('response', 'like', `%"ticketId":${ticketId},%`),
  ])).executeTakeFirst());
  for (const table of TICKET_ID_TABLES) {
    count(table, await trx.deleteFrom(table).where('ticket_id', '=', ticketId).executeTakeFirst());
  }
  count('tickets', await trx.deleteFrom('tickets').where('id', '=', ticketId).executeTakeFirst());
  return { deleted, blobKeys: [...new Set(blobKeys)] };
}

function* chunks<T>(items: T[], size = 500): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
