import crypto from 'node:crypto';
import { DATA_URL, base64TooLarge, emptyBase64, invalidBase64 } from './decodeBase64.js';

/**
 * A large `attachments[i].base64` value decoded by the JSON body parser (src/http/jsonBody.ts)
 * straight from the request bytes, so the base64 text never becomes a JavaScript string. The
 * outcome follows decodeBase64's rules exactly; its error is raised where decodeBase64's would
 * be (storeAttachments), naming the attachment.
 */
export type LargeBase64 =
  | { kind: 'bytes'; bytes: Buffer }
  | { kind: 'empty' }
  | { kind: 'invalid' }
  | { kind: 'tooLarge'; size: number };

// Byte classes inside a JSON string: base64 alphabet, '=', a raw space, a backslash, bytes
// that the ordinary path must judge (control characters are invalid JSON; non-ASCII may be
// Unicode white space), and every other printable ASCII byte (not base64).
const ALPHA = 1, PAD = 2, SPACE = 3, ESCAPE = 4, UNUSUAL = 5, OTHER = 0;
const CLASS = new Uint8Array(256).fill(UNUSUAL);
for (let c = 0x20; c < 0x7f; c++) CLASS[c] = OTHER;
for (const c of Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')) CLASS[c] = ALPHA;
CLASS[0x3d] = PAD;
CLASS[0x20] = SPACE;
CLASS[0x5c] = ESCAPE;

const BACKSLASH = 0x5c, SLASH = 0x2f, COMMA = 0x2c;
// JSON escapes that decode to white space, which strict base64 skips: \n \r \t \f
const isSpaceEscape = (c: number | undefined) => c === 0x6e || c === 0x72 || c === 0x74 || c === 0x66;
// A data-URL prefix longer than this is left to the ordinary path.
const MAX_PREFIX = 2048;
// Decoded in slices of this many base64 characters (a multiple of 4). The transient strings stay
// small enough for the young generation; 1 MB slices land in large-object space and raised the
// peak by the whole file until the next full GC.
const SLICE = 1 << 15;

/**
 * Decodes the content of a JSON string, `buf[start, end)` between its quotes, as strict base64.
 * Returns 'blank' when the text is only white space (the value counts as not given), and null
 * when something unusual (a \u escape, non-ASCII, a control character, a long data-URL prefix)
 * needs the ordinary path; the buffer is then left untouched. Decoded bytes replace the text in
 * place and are returned as a view of `buf`; other outcomes leave the buffer untouched.
 */
export function decodeJsonBase64(buf: Buffer, start: number, end: number, maxBytes: number): LargeBase64 | 'blank' | null {
  let p = start;
  // Leading white space (the value is trimmed before the data-URL prefix is looked for).
  while (p < end) {
    if (buf[p] === 0x20) p++;
    else if (buf[p] === BACKSLASH && isSpaceEscape(buf[p + 1])) p += 2;
    else break;
  }
  if (p >= end) return 'blank';

  if (end - p >= 5 && buf.toString('latin1', p, p + 5).toLowerCase() === 'data:') {
    const comma = buf.indexOf(COMMA, p);
    if (comma < 0 || comma >= end || comma - p > MAX_PREFIX) return null;
    let head: string;
    try {
      for (let i = p; i <= comma; i++) if (CLASS[buf[i]!] === UNUSUAL) return null;
      head = JSON.parse(`"${buf.toString('latin1', p, comma + 1)}"`) as string;
    } catch {
      return null;
    }
    const m = DATA_URL.exec(head);
    // Otherwise the prefix stays and its ':' makes the value invalid, as in decodeBase64.
    if (m && m[0].length === head.length) p = comma + 1;
  }

  // Pass 1, read only: judge every byte before anything is written.
  let alpha = 0, pad = 0, invalid = false, compact = false;
  for (let r = p; r < end; r++) {
    switch (CLASS[buf[r]!]) {
      case ALPHA:
        if (pad > 0) invalid = true;
        alpha++;
        break;
      case PAD:
        pad++;
        break;
      case SPACE:
        compact = true;
        break;
      case ESCAPE: {
        // The closing quote was found by escape-aware scanning: an escape never ends the region.
        const n = buf[++r];
        compact = true;
        if (n === SLASH) {
          if (pad > 0) invalid = true;
          alpha++;
        } else if (n === 0x22 || n === BACKSLASH || n === 0x62) {
          invalid = true; // \" \\ \b: not base64
        } else if (!isSpaceEscape(n)) {
          return null; // \u…, or an escape JSON.parse will reject
        }
        break;
      }
      case UNUSUAL:
        return null;
      default:
        invalid = true;
    }
  }
  const length = alpha + pad;
  if (invalid) return { kind: 'invalid' };
  if (length === 0) return { kind: 'empty' };
  if (length % 4 !== 0 || pad > 2) return { kind: 'invalid' };
  const size = (length / 4) * 3 - pad;
  if (size > maxBytes) return { kind: 'tooLarge', size };

  // Pass 2: the base64 characters are moved together in place, then decoded slice by slice into
  // the same region (3 bytes per 4 characters: the output never overtakes the text still to be
  // read). The file's bytes are a view over the request body: no second buffer of its size.
  let w = end;
  if (compact) {
    w = p;
    for (let r = p; r < end; r++) {
      const c = buf[r]!;
      const cls = CLASS[c];
      if (cls === ALPHA || cls === PAD) buf[w++] = c;
      else if (cls === ESCAPE && buf[++r] === SLASH) buf[w++] = SLASH;
    }
  }
  let written = 0;
  for (let s = p; s < w; s += SLICE) written += buf.write(buf.toString('latin1', s, Math.min(s + SLICE, w)), p + written, 'base64');
  if (written !== size) throw new Error(`base64 decoder wrote ${written} bytes, expected ${size}`);
  const bytes = buf.subarray(p, p + size);
  return { kind: 'bytes', bytes };
}

/** The bytes of a large value, or the error decodeBase64 would have thrown for it. */
export function largeBase64Bytes(value: LargeBase64, field: string, maxBytes: number): Buffer {
  switch (value.kind) {
    case 'empty':
      throw emptyBase64(field);
    case 'invalid':
      throw invalidBase64(field);
    case 'tooLarge':
      throw base64TooLarge(field, value.size, maxBytes);
    case 'bytes':
      if (value.bytes.length > maxBytes) throw base64TooLarge(field, value.bytes.length, maxBytes);
      return value.bytes;
  }
}

interface Slot {
  placeholder: string;
  value: LargeBase64;
  /** SHA-256 of the value's JSON text, for the Idempotency-Key fingerprint (taken when the request has one) */
  textSha256: string | null;
}

// The parsed attachment object → its decoded value. Keyed by the object the parser produced, and
// valid only while that object's `base64` is still the placeholder put there: text a client sends
// (even the placeholder's) is never looked up.
const slots = new WeakMap<object, Slot>();

export function largeBase64Placeholder(nonce: string, n: number): string {
  return `(ticketmind large base64 ${nonce}-${n})`;
}

export function linkLargeBase64(holder: object, placeholder: string, value: LargeBase64, textSha256: string | null): void {
  slots.set(holder, { placeholder, value, textSha256 });
}

function slotOf(holder: unknown): Slot | null {
  if (holder === null || typeof holder !== 'object') return null;
  const slot = slots.get(holder);
  return slot && (holder as { base64?: unknown }).base64 === slot.placeholder ? slot : null;
}

/** The decoded value behind an attachment object of a parsed request body, if the parser made one. */
export function largeBase64Of(attachment: unknown): LargeBase64 | null {
  return slotOf(attachment)?.value ?? null;
}

/**
 * JSON.stringify replacer for request fingerprints: a large value stands for the hash of its
 * JSON text, so identical requests agree and different files differ. The stand-in is an object
 * where the schema allows only a string: no client value can look like it.
 */
export function fingerprintReplacer(this: unknown, key: string, value: unknown): unknown {
  if (key === 'base64' && typeof value === 'string') {
    const slot = slotOf(this);
    if (slot) return { largeBase64Sha256: slot.textSha256 ?? (slot.value.kind === 'bytes' ? sha256Hex(slot.value.bytes) : slot.value.kind) };
  }
  return value;
}

export const sha256Hex = (bytes: Uint8Array): string => crypto.createHash('sha256').update(bytes).digest('hex');
