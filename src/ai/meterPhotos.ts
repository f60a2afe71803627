import type { AppContext } from '../context.js';
import { readMeter, type MeterCandidate } from './ocr/readMeter.js';

type Reading = { meterValue: number; confidence: number; digits: string };
export type PhotoResult =
  | { attachmentId: number; status: 'success'; confidence: number; data: Reading & { candidates: MeterCandidate[] } }
  /**
   * Digits were read but not surely enough: the attachment says so with the candidates, and no
   * value goes on the ticket (a person confirms one) — instead of a wrong value.
   */
  | { attachmentId: number; status: 'needsConfirmation'; confidence: number; data: { reading: Reading; candidates: MeterCandidate[]; reason: string } }
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
    if (res.status === 'failed') {
      out.push({ attachmentId: r.id, status: 'failed', confidence: 0, data: { reason: res.reason } });
      continue;
    }
    const { meterValue, digits, confidence } = res.reading;
    if (res.status === 'success') out.push({ attachmentId: r.id, status: 'success', confidence, data: { meterValue, confidence, digits, candidates: res.candidates } });
    else out.push({ attachmentId: r.id, status: 'needsConfirmation', confidence, data: { reading: { meterValue, confidence, digits }, candidates: res.candidates, reason: res.reason } });
  }
  return out;
}
