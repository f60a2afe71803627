import type { AppContext } from '../context.js';
import { readMeter } from './ocr/readMeter.js';

export type PhotoResult =
  | { attachmentId: number; status: 'success'; confidence: number; data: { meterValue: number; confidence: number; digits: string } }
  | { attachmentId: number; status: 'failed' | 'skipped'; confidence: 0; data: { reason: string } };

/**
 * Reads the meter value from each image attachment of a conversation that still waits for
 * extraction. Only customer messages are read: an agent's images are not meter photos.
 */
export async function readMeterPhotos(ctx: AppContext, conversationId: number, read: boolean): Promise<PhotoResult[]> {
  const rows = await ctx.db.kysely
    .selectFrom('attachments')
    .select(['id', 'blob_key'])
    .where('conversation_id', '=', conversationId)
    .where('extraction_status', '=', 'pending')
    .orderBy('position')
    .execute();
  const out: PhotoResult[] = [];
  for (const r of rows) {
    if (!read || !r.blob_key) {
      out.push({ attachmentId: r.id, status: 'skipped', confidence: 0, data: { reason: 'not a customer message' } });
      continue;
    }
    const res = await readMeter(await ctx.blobs.read(r.blob_key));
    if (res.status === 'success') {
      const confidence = Math.round(res.reading.confidence * 1000) / 1000;
      out.push({ attachmentId: r.id, status: 'success', confidence, data: { meterValue: res.reading.meterValue, confidence, digits: res.reading.digits } });
    } else {
      out.push({ attachmentId: r.id, status: 'failed', confidence: 0, data: { reason: res.reason } });
    }
  }
  return out;
}
