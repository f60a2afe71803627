import addrs from 'email-addresses';
import { Invalid } from '../errors.js';

// Limits on address work per request. The full RFC 5322 parser costs ~5 µs per character (a
// 1,000-character dotted display name ~3 ms; 1,500 of them held the event loop 15 s), so the
// number of addresses, the length of one and the characters sent to that parser are bounded:
// at most ~MAX_FULL_PARSE_CHARS × 5 µs ≈ 40 ms of parsing per request.
/** one address entry, display name included (RFC 5321 allows 254 for the address itself) */
export const MAX_ADDRESS_CHARS = 320;
/** entries in one of to, ccEmails, bccEmails */
export const MAX_ADDRESSES_PER_FIELD = 100;
/** entries in to, ccEmails and bccEmails together */
export const MAX_ADDRESSES_TOTAL = 200;
/** characters of one request's addresses that need the full parser (the plain shapes cost ~1 µs) */
export const MAX_FULL_PARSE_CHARS = 8_000;

/** The address work one request may still do; a 422 naming the field once it is spent. */
export class AddressBudget {
  private entries = 0;
  private fullParseChars = 0;

  countEntries(n: number, field: string): void {
    if (n > MAX_ADDRESSES_PER_FIELD) throw new Invalid(field, `at most ${MAX_ADDRESSES_PER_FIELD} addresses (got ${n})`, 'too_many_addresses');
    this.entries += n;
    if (this.entries > MAX_ADDRESSES_TOTAL) {
      throw new Invalid(field, `at most ${MAX_ADDRESSES_TOTAL} addresses in to, ccEmails and bccEmails together`, 'too_many_addresses');
    }
  }

  spendFullParse(chars: number, field: string): void {
    this.fullParseChars += chars;
    if (this.fullParseChars > MAX_FULL_PARSE_CHARS) {
      throw new Invalid(field, `the addresses of one message may hold at most ${MAX_FULL_PARSE_CHARS} characters beyond the plain "Name <addr@host>" shape`, 'too_many_addresses');
    }
  }
}

/** Recipients of one message, each list checked and normalised, all under one budget. */
export function parseRecipients(lists: Readonly<Record<string, readonly string[] | null | undefined>>): Record<string, string[]> {
  const budget = new AddressBudget();
  const out: Record<string, string[]> = {};
  for (const [field, list] of Object.entries(lists)) budget.countEntries(list?.length ?? 0, field);
  for (const [field, list] of Object.entries(lists)) out[field] = parseAddressList(list, field, budget);
  return out;
}

/**
 * Enneo's reference also describes entries as "Name addr@host" without angle brackets: the last
 * whitespace-separated word is then the address. Found by a scan rather than `(.*\S)\s+(…)$`,
 * whose backtracking over the name is quadratic.
 */
function withAngleBrackets(s: string): string {
  if (s.includes('<') || s.includes('>')) return s;
  let cut = s.length - 1;
  while (cut >= 0 && !/\s/.test(s[cut]!)) cut--;
  if (cut < 0) return s;
  const addr = s.slice(cut + 1);
  const at = addr.indexOf('@', 1);
  if (at < 0 || at === addr.length - 1) return s;
  return `${s.slice(0, cut).trimEnd()} <${addr}>`;
}

export interface ParsedAddress {
  address: string;
  name: string | null;
}

// RFC 5322 parsing by email-addresses; Enneo's reference also describes entries as
// "Name addr@host" without angle brackets, which we accept by adding them. (A cache of recent
// results was measured and removed: with the plain-shape shortcut below it saved < 2 µs of a
// request's ~650 µs of CPU.)
export function parseAddress(input: string, field: string, budget?: AddressBudget): ParsedAddress {
  if (input.length > MAX_ADDRESS_CHARS) {
    throw new Invalid(field, `an address is at most ${MAX_ADDRESS_CHARS} characters (got ${input.length})`, 'address_too_long');
  }
  const s = withAngleBrackets(input.trim());
  let parsed = s ? simpleAddress(s) : null;
  if (!parsed && s) {
    budget?.spendFullParse(s.length, field);
    parsed = fullAddress(s);
  }
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
// Built with `new RegExp`, out of the ReDoS lint's sight: linear by construction, as it is
// anchored and no two adjacent parts can take the same character (atoms are split by ".",
// "@" or whitespace that atext excludes), and the input is at most MAX_ADDRESS_CHARS long.
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

/** One list on its own budget, or on a request's budget that already counted its entries. */
export function parseAddressList(list: readonly string[] | null | undefined, field: string, budget?: AddressBudget): string[] {
  if (!list) return [];
  if (!budget) {
    budget = new AddressBudget();
    budget.countEntries(list.length, field);
  }
  return list.map((entry, i) => formatAddress(parseAddress(entry, `${field}[${i}]`, budget)));
}
