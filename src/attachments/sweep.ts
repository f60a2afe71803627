import type { AppContext } from '../context.js';

// Blobs are written before the transaction that refers to them; when that transaction fails the
// blob is orphaned. An hour of grace keeps blobs of transactions still in flight.
const GRACE_MS = 60 * 60 * 1000;

/** Every row that can hold a blob key: attachments, and the raw messages of fetched mail (of a conversation, or set aside). */
async function isReferenced(ctx: AppContext, key: string): Promise<boolean> {
  const k = ctx.db.kysely;
  if (await k.selectFrom('attachments').select('id').where('blob_key', '=', key).limit(1).executeTakeFirst()) return true;
  if (await k.selectFrom('mail_messages').select('conversation_id').where('raw_blob_key', '=', key).limit(1).executeTakeFirst()) return true;
  return (await k.selectFrom('mail_quarantine').select('id').where('raw_blob_hash', '=', key).limit(1).executeTakeFirst()) !== undefined;
}

/**
 * After an erasure: the given blobs are deleted at once (no grace: their rows are gone for good)
 * unless another attachment still refers to the same bytes, or a store of the same bytes touched
 * the file since `sinceMs` (it may be about to commit a row; the periodic sweep judges it later).
 */
export async function removeUnreferencedBlobs(ctx: AppContext, keys: string[], sinceMs: number): Promise<number> {
  let removed = 0;
  for (const key of keys) {
    if (!(await isReferenced(ctx, key)) && (await ctx.blobs.remove(key, sinceMs))) removed++;
  }
  return removed;
}

export async function sweepOrphanBlobs(ctx: AppContext): Promise<number> {
  const removed = await ctx.blobs.sweep((key) => isReferenced(ctx, key), GRACE_MS);
  if (removed > 0) ctx.log.info({ removed }, 'swept orphaned attachment blobs');
  return removed;
}
