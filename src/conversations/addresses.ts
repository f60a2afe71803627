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
  const parsed = s ? addrs.parseOneAddress({ input: s, rfc6532: true }) : null;
  if (!parsed || parsed.type !== 'mailbox' || !parsed.domain?.includes('.')) {
    throw new Invalid(field, `"${input}" is not an email address (expected addr@host or Name <addr@host>)`, 'invalid_address');
  }
  const name = parsed.name?.trim() || null;
  return Object.freeze({ address: parsed.address, name });
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
