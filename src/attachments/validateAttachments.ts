import { Invalid } from '../errors.js';
import { largeBase64Of, type LargeBase64 } from './largeBase64.js';

export interface AttachmentInput {
  index: number;
  name: string;
  url: string | null;
  base64: string | null;
  /** a large base64 value the JSON body parser already decoded (then `base64` is its placeholder) */
  large?: LargeBase64 | null;
}

/** Each attachment needs a name and a `url` or `base64` (conversation-store.md). */
export function validateAttachmentInputs(list: ReadonlyArray<{ name: string; url?: string | null; base64?: string | null }>): AttachmentInput[] {
  return list.map((a, index) => {
    const field = `attachments[${index}]`;
    const name = a.name.trim();
    if (!name) throw new Invalid(`${field}.name`, 'must not be empty');
    const url = a.url?.trim() || null;
    const base64 = a.base64?.trim() || null;
    if (!url && !base64) throw new Invalid(field, 'needs url or base64', 'attachment_source_missing');
    if (url && !/^https?:\/\//i.test(url)) throw new Invalid(`${field}.url`, 'only http and https URLs can be fetched', 'invalid_url');
    if (url) {
      try {
        new URL(url);
      } catch {
        throw new Invalid(`${field}.url`, `"${url.slice(0, 200)}" is not a valid URL`, 'invalid_url');
      }
    }
    return { index, name, url, base64, large: base64 ? largeBase64Of(a) : null };
  });
}
