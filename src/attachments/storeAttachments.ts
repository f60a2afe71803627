import sharp from 'sharp';
import type { Insertable } from 'kysely';
import type { AttachmentTable } from '../db/schema.js';
import type { AppContext } from '../context.js';
import { Invalid, PayloadTooLarge } from '../errors.js';
import type { AttachmentInput } from './validateAttachments.js';
import { decodeBase64 } from './decodeBase64.js';
import { largeBase64Bytes } from './largeBase64.js';
import { classify, isImage } from './classify.js';
import { cidRefs, refsForName } from './inlineImages.js';
import { fetchAttachmentUrls } from './fetchAttachments.js';

export interface StoredAttachment {
  row: Omit<Insertable<AttachmentTable>, 'conversation_id' | 'ticket_id' | 'created_at'>;
  /** `cid:` references in the HTML body that point at this file (rewritten after insert) */
  cids: string[];
}

export interface AttachmentContext {
  direction: string;
  process: string;
  body: string;
}

/**
 * Gets each attachment's bytes (strict base64, or a guarded fetch of its URL), judges them by
 * their magic number, writes them to the blob store and returns the rows to insert. Runs before
 * the transaction; a failure here stores nothing in the database (written blobs that end up
 * unreferenced are swept later). All URLs are fetched first, in parallel under one deadline
 * (fetchAttachments.ts), so a failed or late fetch writes no blob at all. A failed fetch is a 422
 * naming the attachment, whatever the process mode: the caller learns at once that the file did
 * not arrive.
 */
export async function storeAttachments(ctx: AppContext, inputs: AttachmentInput[], msg: AttachmentContext): Promise<StoredAttachment[]> {
  const { ATTACHMENT_MAX_BYTES: maxFile, ATTACHMENTS_MAX_TOTAL_BYTES: maxTotal } = ctx.config;
  const refs = msg.body.includes('cid:') ? cidRefs(msg.body) : [];
  const fetched = await fetchAttachmentUrls(ctx, inputs);
  const out: StoredAttachment[] = [];
  let total = 0;
  for (const a of inputs) {
    const field = `attachments[${a.index}]`;
    let bytes = a.large
      ? largeBase64Bytes(a.large, `${field}.base64`, maxFile)
      : a.base64 ? decodeBase64(a.base64, `${field}.base64`, maxFile) : fetched.get(a.index)!;
    total += bytes.length;
    if (total > maxTotal) throw new PayloadTooLarge(`attachments: together more than the limit of ${maxTotal} bytes`, field);
    const detected = await classify(bytes);
    let name = a.name;
    let { contentType, fileEnding } = detected;
    if (detected.risk === 'dangerous') {
      if (msg.direction !== 'in') throw new Invalid(field, `is ${detected.description}; outgoing messages may not attach dangerous files`, 'dangerous_attachment');
      bytes = Buffer.from(
        `ticketmind removed the attachment "${a.name}" (${bytes.length} bytes): it is ${detected.description} (${detected.contentType}), ` +
          'and executable files are not stored because they can harm the computers of the people who open them.\n',
      );
      name = `${a.name}.removed.txt`;
      contentType = 'text/plain';
      fileEnding = 'txt';
    }
    const { key } = await ctx.blobs.put(bytes);
    const image = isImage(contentType) ? await imageSize(bytes) : null;
    const cids = image ? refsForName(refs, a.name) : [];
    out.push({
      cids,
      row: {
        position: a.index,
        name,
        original_url: a.url,
        had_base64: a.base64 ? 1 : 0,
        blob_key: key,
        size: bytes.length,
        width: image?.width ?? null,
        height: image?.height ?? null,
        inline: cids.length > 0 ? 1 : 0,
        file_ending: fileEnding,
        content_type: contentType,
        risk: detected.risk,
        extraction_status: image && msg.process !== 'false' ? 'pending' : 'skipped',
        extraction_data: null,
      },
    });
  }
  return out;
}

/** Display size: EXIF orientations 5-8 are rotated by 90°, so width and height swap. */
async function imageSize(bytes: Buffer): Promise<{ width: number; height: number } | null> {
  try {
    const m = await sharp(bytes).metadata();
    if (!m.width || !m.height) return null;
    return (m.orientation ?? 1) >= 5 ? { width: m.height, height: m.width } : { width: m.width, height: m.height };
  } catch {
    return null;
  }
}
