import type { AppContext } from '../context.js';

// Blobs are written before the transaction that refers to them; when that transaction fails the
// blob is orphaned. An hour of grace keeps blobs of transactions still in flight.
const GRACE_MS = 60 * 60 * 1000;

export async function sweepOrphanBlobs(ctx: AppContext): Promise<number> {
  const removed = await ctx.blobs.sweep(async (key) => {
    const row = await ctx.db.kysely.selectFrom('attachments').select('id').where('blob_key', '=', key).limit(1).executeTakeFirst();
    return row !== undefined;
  }, GRACE_MS);
  if (removed > 0) ctx.log.info({ removed }, 'swept orphaned attachment blobs');
  return removed;
}
