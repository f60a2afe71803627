import addrs from 'email-addresses';
import { Invalid } from '../errors.js';

export interface ParsedAddress {
  address: string;
  name: string | null;
}

// The full RFC 5322 grammar costs ~0.1 ms per address, and the same few addresses (our own
// mailboxes, a customer writing again) come back on most messages; parsing is pure, so the
// results of recent valid inputs are kept. Insertion order makes the Map a cheap FIFO bound.
const recent = new Map<string, ParsedAddress>();
const RECENT_MAX = 2000;

// RFC 5322 parsing by email-addresses; Enneo's reference also describes entries as
// "Name addr@host" without angle brackets, which we accept by adding them.
export function parseAddress(input: string, field: string): ParsedAddress {
  const known = recent.get(input);
  if (known) return known;
  const parsed = parseUncached(input, field);
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
  recent.set(input, parsed);
  return parsed;
}

function parseUncached(input: string, field: string): ParsedAddress {
  let s = input.trim();
  const bare = /^(.*\S)\s+([^\s<>]+@[^\s<>]+)$/.exec(s);
  if (bare && !s.includes('<')) s = `${bare[1]} <${bare[2]}>`;
  const parsed = s ? (simpleAddress(s) ?? fullAddress(s)) : null;
  if (!parsed) throw new Invalid(field, `"${input}" is not an email address (expected addr@host or Name <addr@host>)`, 'invalid_address');
  return parsed;
}

// Nearly every address is "addr@host", "<addr@host>" or "Name Name <addr@host>" made of atoms
// only. For those shapes the grammar's answer is known without running it: RFC 5322 atext
// (RFC 6532: any non-ASCII code unit too, as email-addresses counts it), a display name's
// whitespace collapsed to single spaces. That takes ~1 µs where the combinator parser takes
// ~0.1 ms, and every new sender pays it. Quotes, comments, dots in names, groups and anything
// else go to the full parser; test/conversations/addresses.test.ts holds this shortcut to
// email-addresses' answers.
const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\uFFFF]+";
const ADDR_SPEC = `(${ATEXT}(?:\\.${ATEXT})*@${ATEXT}(?:\\.${ATEXT})+)`;
const OTHER_WHITESPACE = /[^\S \t]/;
const SIMPLE_ADDRESS = new RegExp(`^(?:${ADDR_SPEC}|(?:(${ATEXT}(?:[ \\t]+${ATEXT})*)[ \\t]*)?<${ADDR_SPEC}>)$`);

/** The parse of one of the plain shapes above, or null to leave the input to the full parser. */
export function simpleAddress(s: string): ParsedAddress | null {
  // email-addresses drops Unicode whitespace (a no-break space, say) from the address it returns.
  if (OTHER_WHITESPACE.test(s)) return null;
  const m = SIMPLE_ADDRESS.exec(s);
  if (!m) return null;
  return Object.freeze({ address: (m[1] ?? m[3])!, name: m[2]?.replace(/[ \t]+/g, ' ') ?? null });
}

/** RFC 5322 (with RFC 6532 UTF-8) by email-addresses; a mailbox whose domain has a dot, else null. */
export function fullAddress(s: string): ParsedAddress | null {
  const parsed = addrs.parseOneAddress({ input: s, rfc6532: true });
  if (!parsed || parsed.type !== 'mailbox' || !parsed.domain?.includes('.')) return null;
  return Object.freeze({ address: parsed.address, name: parsed.name?.trim() || null });
}

/** Normalised display form: "Name <addr>" when a name is known, else the bare address. */
export function formatAddress(a: ParsedAddress): string {
  if (!a.name) return a.address;
  // Names with RFC 5322 specials (a comma in "Müller, Hans") must be quoted to parse back.
  const name = /[",;:<>@()[\]\\]/.test(a.name) ? `"${a.name.replace(/["\\]/g, '\\$&')}"` : a.name;
  return `${name} <${a.address}>`;
}

export function parseAddressList(list: readonly string[] | null | undefined, field: string): string[] {
  return (list ?? []).map((entry, i) => formatAddress(parseAddress(entry, `${field}[${i}]`)));
}
