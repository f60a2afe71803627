import type { Insertable } from 'kysely';
import type { AttachmentTable } from '../db/schema.js';
import type { AttachmentInput } from './validateAttachments.js';

export interface StoredAttachment {
  row: Omit<Insertable<AttachmentTable>, 'conversation_id' | 'ticket_id' | 'created_at'>;
}

/**
 * Turns validated attachment inputs into rows, before the transaction opens.
 * The bytes (fetching URLs, decoding base64, metadata, blob store) come with the attachments work;
 * until then the source is recorded and extraction stays pending.
 */
export async function storeAttachments(inputs: AttachmentInput[]): Promise<StoredAttachment[]> {
  return inputs.map((a) => ({
    row: {
      position: a.index,
      name: a.name,
      original_url: a.url,
      had_base64: a.base64 ? 1 : 0,
      blob_key: null,
      size: null,
      width: null,
      height: null,
      inline: 0,
      file_ending: a.name.includes('.') ? a.name.split('.').pop()!.toLowerCase() : null,
      content_type: null,
      risk: null,
      extraction_status: 'pending',
      extraction_data: null,
    },
  }));
}
