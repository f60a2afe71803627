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

type Previous = { meterValue: number; digits: string };

/**
 * Why a sure reading is implausible beside the meter reading an earlier message's photo gave on
 * the same ticket, or null: a register only counts up and keeps its number of digits (a meter
 * number taken for the register, or a digit lost at an edge, breaks one of the two). The reading
 * then needs a person's confirmation instead of going on the ticket. (The contract's previous
 * reading, when the customer system gives one, is checked by the automation gate.)
 */
export function implausibleAfter(reading: Previous, previous: Previous | null): string | null {
  if (!previous) return null;
  if (reading.meterValue < previous.meterValue) return `the reading ${reading.digits} is below ${previous.digits}, the reading of an earlier photo on this ticket: a person confirms it`;
  if (reading.digits.length !== previous.digits.length) return `the reading ${reading.digits} has ${reading.digits.length} digits, the register of an earlier photo on this ticket ${previous.digits.length}: a person confirms it`;
  return null;
}

/** The latest sure reading a photo of another message on this ticket gave, or null. */
async function previousOnTicket(ctx: AppContext, ticketId: number, conversationId: number): Promise<Previous | null> {
  const row = await ctx.db.kysely
    .selectFrom('attachments')
    .select(['extraction_data'])
    .where('ticket_id', '=', ticketId)
    .where('conversation_id', '!=', conversationId)
    .where('extraction_status', '=', 'success')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row?.extraction_data) return null;
  const d = JSON.parse(row.extraction_data) as { meterValue?: unknown; digits?: unknown };
  return typeof d.meterValue === 'number' && typeof d.digits === 'string' ? { meterValue: d.meterValue, digits: d.digits } : null;
}

/**
 * Reads the meter value from each image attachment of a conversation that still waits for
 * extraction. Only customer messages are read: an agent's images are not meter photos.
 */
export async function readMeterPhotos(ctx: AppContext, conversationId: number, read: boolean): Promise<PhotoResult[]> {
  const rows = await ctx.db.kysely
    .selectFrom('attachments')
    .select(['id', 'blob_key', 'ticket_id'])
    .where('conversation_id', '=', conversationId)
    .where('extraction_status', '=', 'pending')
    .orderBy('position')
    .execute();
  const out: PhotoResult[] = [];
  let previous: Promise<Previous | null> | null = null;
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
    const implausible = res.status === 'success' ? implausibleAfter(res.reading, await (previous ??= previousOnTicket(ctx, r.ticket_id, conversationId))) : null;
    if (implausible) out.push({ attachmentId: r.id, status: 'needsConfirmation', confidence, data: { reading: { meterValue, confidence, digits }, candidates: res.candidates, reason: implausible } });
    else if (res.status === 'success') out.push({ attachmentId: r.id, status: 'success', confidence, data: { meterValue, confidence, digits, candidates: res.candidates } });
    else out.push({ attachmentId: r.id, status: 'needsConfirmation', confidence, data: { reading: { meterValue, confidence, digits }, candidates: res.candidates, reason: res.reason } });
  }
  return out;
}
