import type { AppContext } from '../context.js';

// Blobs are written before the transaction that refers to them; when that transaction fails the
// blob is orphaned. An hour of grace keeps blobs of transactions still in flight.
const GRACE_MS = 60 * 60 * 1000;

export async function sweepOrphanBlobs(ctx: AppContext): Promise<number> {
  const removed = await ctx.blobs.sweep(async (key) => {
    const row = await ctx.db.kysely.selectFrom('attachments').select('id').where('blob_key', '=', key).limit(1).executeTakeFirst();
    if (row) return true;
    // Raw messages of fetched mail (src/mail/): of a conversation, or of mail set aside.
    const raw = await ctx.db.kysely.selectFrom('mail_messages').select('conversation_id').where('raw_blob_key', '=', key).limit(1).executeTakeFirst();
    if (raw) return true;
    const held = await ctx.db.kysely.selectFrom('mail_quarantine').select('id').where('raw_blob_hash', '=', key).limit(1).executeTakeFirst();
    return held !== undefined;
  }, GRACE_MS);
  if (removed > 0) ctx.log.info({ removed }, 'swept orphaned attachment blobs');
  return removed;
}
