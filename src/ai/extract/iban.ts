// IBANs in free text: found by shape, confirmed by the ISO 13616 length of the country and the
// mod-97 check. A wrong IBAN written into a SEPA mandate costs a bounced debit, so an IBAN that
// fails the checksum is never returned, however IBAN-like it looks.

import type { Span } from './spans.js';

/** ISO 13616 IBAN lengths by country (SWIFT IBAN registry; SEPA countries and neighbours). */
const IBAN_LENGTH: Record<string, number> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FO: 18,
  FR: 27, GB: 22, GI: 23, GL: 18, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MT: 31, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, TR: 26,
  UA: 29, VA: 22,
};

export function normalizeIban(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase();
}

/** mod-97 over the rearranged IBAN, computed in chunks so no BigInt is needed */
function mod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch; // A=10 … Z=35
    for (const digit of value) rest = (rest * 10 + Number(digit)) % 97;
  }
  return rest;
}

export function isValidIban(raw: string): boolean {
  const iban = normalizeIban(raw);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  const length = IBAN_LENGTH[iban.slice(0, 2)];
  if (length === undefined || iban.length !== length) return false;
  return mod97(iban) === 1;
}

export interface IbanMatch extends Span {
  iban: string;
}

/**
 * Every valid IBAN in the text. Customers group IBANs in fours, or not at all, so from each
 * country-code start we collect exactly the country's number of characters across single spaces,
 * which also stops the match before a following word ("… 0130 00 bitte").
 */
export function findIbans(text: string): IbanMatch[] {
  const out: IbanMatch[] = [];
  const start = /\b([A-Za-z]{2})\s?(\d{2})/g;
  for (let m = start.exec(text); m; m = start.exec(text)) {
    const country = (m[1] ?? '').toUpperCase();
    const length = IBAN_LENGTH[country];
    if (length === undefined) continue;
    // "at 12 34…" is English, not Austria: a lower-case country code must touch its check digits.
    if (m[1] !== country && /\s/.test(m[0])) continue;
    let collected = country + (m[2] ?? '');
    let i = m.index + m[0].length;
    while (collected.length < length && i < text.length) {
      const ch = text[i] ?? '';
      if (/[A-Za-z0-9]/.test(ch)) collected += ch.toUpperCase();
      else if (!(ch === ' ' && /[A-Za-z0-9]/.test(text[i + 1] ?? ''))) break;
      i++;
    }
    // The IBAN must end at a token boundary, else it is a prefix of something longer.
    if (collected.length === length && !/[A-Za-z0-9]/.test(text[i] ?? '') && isValidIban(collected)) {
      out.push({ iban: collected, start: m.index, end: i });
      start.lastIndex = i;
    }
  }
  return out;
}

/**
 * The IBAN a customer wants used: the one marked new ("neue IBAN", "new account") over one marked
 * old; otherwise the last one, as a message that names two usually lists old before new.
 */
export function pickIban(text: string, ibans: readonly IbanMatch[]): IbanMatch | undefined {
  let best: IbanMatch | undefined;
  let bestScore = -Infinity;
  for (const m of ibans) {
    const before = text.slice(Math.max(0, m.start - 30), m.start).toLowerCase();
    let score = 0;
    if (/\b(neu|new)\w*/.test(before)) score += 2;
    if (/\b(alt|old|bisherig|previous|former|current|aktuell)\w*/.test(before)) score -= 2;
    if (score >= bestScore) {
      best = m;
      bestScore = score;
    }
  }
  return best;
}
