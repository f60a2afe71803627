/**
 * RFC 5322 Message-IDs as ticketmind keeps them: without angle brackets, trimmed, capped.
 * Header values are attacker-controlled: every scan here is a single linear pass over a capped
 * string, no regex with nested repetition.
 */

const MAX_ID_CHARS = 998;
/** In-Reply-To plus References taken into account at most (the newest ones). */
const MAX_REFERENCES = 50;
const MAX_HEADER_CHARS = 64 * 1024;

/** One Message-ID normalised (no brackets, no whitespace), or null when there is none. */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const ids = messageIdsIn(value);
  if (ids.length > 0) return ids[0]!;
  const bare = value.trim();
  return bare && bare.length <= MAX_ID_CHARS && !/\s/.test(bare) ? bare : null;
}

/** Every `<id>` token of a header value (References, In-Reply-To), in order. */
export function messageIdsIn(value: string | string[] | null | undefined): string[] {
  if (!value) return [];
  const text = (Array.isArray(value) ? value.join(' ') : value).slice(0, MAX_HEADER_CHARS);
  const out: string[] = [];
  let i = 0;
  for (;;) {
    const open = text.indexOf('<', i);
    if (open < 0) break;
    const close = text.indexOf('>', open + 1);
    if (close < 0) break;
    const id = text.slice(open + 1, close).trim();
    if (id && id.length <= MAX_ID_CHARS && !/\s/.test(id)) out.push(id);
    i = close + 1;
  }
  // A References header without brackets (some clients): whitespace-separated ids.
  if (out.length === 0) for (const t of text.split(/\s+/)) if (t.includes('@') && t.length <= MAX_ID_CHARS) out.push(t);
  return out;
}

/**
 * The ids a reply points at, most specific first: In-Reply-To, then References from the newest
 * (last) to the oldest, without repeats, at most MAX_REFERENCES.
 */
export function threadReferences(inReplyTo: string | string[] | undefined, references: string | string[] | undefined): string[] {
  const ids = [...messageIdsIn(inReplyTo), ...messageIdsIn(references).reverse()];
  return [...new Set(ids)].slice(0, MAX_REFERENCES);
}

/** The stand-in Message-ID of a mail that has none: deterministic, so a refetch of it dedupes. */
export function syntheticMessageId(subchannelId: number, uidValidity: string, uid: number): string {
  return `${uidValidity}.${uid}.mailbox-${subchannelId}@ticketmind.invalid`;
}
