// Numbers written the German way (12.345,6) or the English way (12,345.6), and the meter reading
// among the numbers of a message. A message holds many numbers — dates, IBANs, meter numbers,
// postcodes, phone numbers, amounts — so a reading needs a cue (a unit or a reading word), and
// everything another extractor claimed is skipped.

import { overlaps, type Span } from './spans.js';

/**
 * Parse "12.345,6", "12,345.6", "12345", "45 678", "8765,4". With one kind of separator followed by
 * exactly three digits ("12.345", "12,345") the writer's language decides (German: "." groups
 * thousands), and without a language a longer integer part ("4567,123") means decimals.
 */
export function parseLocaleNumber(raw: string, language?: 'de' | 'en'): number | null {
  const s = raw.trim().replace(/[\s']/g, '');
  if (/^(?:\d\s)+\d$/.test(raw.trim())) return Number(s); // drum digits "0 4 5 6 7"
  if (!/^\d[\d.,]*$/.test(s) || /[.,]$/.test(s)) return null;
  const dots = s.split('.').length - 1;
  const commas = s.split(',').length - 1;
  let normalized: string;
  if (dots && commas) {
    const decimal = s.lastIndexOf(',') > s.lastIndexOf('.') ? ',' : '.';
    const group = decimal === ',' ? '.' : ',';
    if (s.split(decimal).length - 1 > 1) return null;
    normalized = s.split(group).join('').replace(decimal, '.');
  } else if (dots + commas === 0) {
    normalized = s;
  } else {
    const sep = dots ? '.' : ',';
    const parts = s.split(sep);
    const grouped = parts.length > 2 || (parts[1]?.length === 3 && (parts[0]?.length ?? 0) <= 3);
    if (parts.length > 2) {
      if (!parts.slice(1).every((p) => p.length === 3)) return null;
      normalized = parts.join('');
    } else if (grouped) {
      // "12.345" / "12,345": thousands when the language groups with this separator.
      const thousands = language === 'de' ? sep === '.' : language === 'en' ? sep === ',' : true;
      normalized = thousands ? parts.join('') : parts.join('.');
    } else normalized = parts.join('.');
  }
  const n = Number(normalized);
  return Number.isFinite(n) ? n : null;
}

export interface NumberMatch extends Span {
  raw: string;
}

/**
 * Digit runs with optional grouping and decimals, or single digits spaced out as on a counter's
 * drums ("0 4 5 6 7"); not glued to letters, dashes or slashes (ids, dates).
 */
const NUMBER = /(?<![\p{L}\d.,/-])(?:\d ){3,}\d(?![\d.,])|(?<![\p{L}\d.,/-])\d{1,3}(?:(?:[.,]| (?=\d{3}\b))\d{3})+(?:[.,]\d+)?(?![\d/-]|[.,]\d)|(?<![\p{L}\d.,/-])\d+(?:[.,]\d+)?(?![\d/-]|[.,]\d)/gu;

export function findNumbers(text: string): NumberMatch[] {
  const out: NumberMatch[] = [];
  NUMBER.lastIndex = 0;
  for (let m = NUMBER.exec(text); m; m = NUMBER.exec(text)) {
    const end = m.index + m[0].length;
    // A letter right after the digits is only fine when it starts a unit ("12345kWh").
    // Only the next few characters can start a unit: a bounded window keeps this constant work.
    const next = text.slice(end, end + 24);
    if (/^\p{L}/u.test(next) && !UNIT_AFTER.test(next)) continue;
    out.push({ raw: m[0], start: m.index, end });
  }
  return out;
}

const UNIT_AFTER = /^\s*(?:kwh|mwh|m³|m3|cbm|kubikmeter|cubic\s*met(?:er|re)s?)\b|^\s*m³/i;
const NOT_A_READING_AFTER = /^\s*(?:%|€|eur\b|euro|,-|ct\b|cent|uhr\b|h\b|jahre?n?\b|monate?n?\b|tage?n?\b|wochen?\b|years?\b|months?\b|days?\b|weeks?\b|personen|people|kw\b|mal\b|times\b)/i;
const NOT_A_READING_BEFORE = /(?:€|#|\b(?:eur|euro|tel|telefon|phone|fon|mobil|handy|fax|nr|no|number|id|plz|postleitzahl|von|bis|from)|nummer)\s*(?:[.:]\s*)?$/i;
const READING_CUE = /z(?:ä|ae|a)hler\s*stand|z(?:ä|ae|a)hlerst(?:ä|ae)nde|\bstand\b|ablese\w*|abgelesen|ablesung|meter\s*read\w*|\breadings?\b|\breads?\b|\bshows?\b|\bzeigt\b|steht\s*(?:bei|auf)|\bis\s*at\b/i;
/** Register and medium names before a number ("HT 12345", "Gas 4567,2") count only in a message about meters. */
const WEAK_CUE = /\b(?:ht|nt|day|night|strom|gas|wasser|water|electricity|w(?:ä|ae)rmepumpe\w*|heat\s*pump|haushalt\w*|household)\b/i;
/** Consumption and charges are kWh too, but not a reading. */
const CONSUMPTION = /verbrauch|consumption|\busage\b|\bcharg|berechne|abgerechnet|pro jahr|im jahr|per year|annual|jährlich|jaehrlich/i;
const METER_CONTEXT = /z(?:ä|ae|a)hler|ablese|abgelesen|ablesung|\bmeter\b|reading|kwh|m³|\bm3\b/i;

/**
 * The meter reading of a message, or undefined. A number qualifies by a unit after it or a reading
 * cue shortly before it in the same sentence; amounts, durations, years, postcodes, phone and
 * reference numbers, and anything in `claimed` (dates, IBANs, identifiers) are skipped.
 */
export function findMeterValue(text: string, language: 'de' | 'en' | undefined, claimed: readonly Span[]): number | undefined {
  const hasContext = METER_CONTEXT.test(text);
  let best: { value: number; score: number } | undefined;
  for (const n of findNumbers(text)) {
    if (overlaps(n, claimed)) continue;
    const after = text.slice(n.end, n.end + 24);
    const before = text.slice(Math.max(0, n.start - 48), n.start);
    if (NOT_A_READING_AFTER.test(after) || NOT_A_READING_BEFORE.test(before)) continue;
    const unit = UNIT_AFTER.test(after);
    const value = parseLocaleNumber(n.raw, language);
    if (value === null) continue;
    const integer = Number.isInteger(value) && !/[.,]/.test(n.raw);
    if (!unit) {
      if (integer && /^(?:19|20)\d\d$/.test(n.raw)) continue; // a year
      // "12345 Berlin": a postcode before a capitalised place name
      if (integer && n.raw.length === 5 && /^\s+\p{Lu}\p{Ll}+/u.test(after)) continue;
      if (/^\+|^0\d{2,4}$/.test(n.raw) && /^[\s/-]+\d/.test(after)) continue; // 030 / 1234567
    }
    // The sentence so far; a "." ends it only after a word of 4+ letters, not "Nr." or "z.B.".
    const sentence = before.split(/(?<=\p{L}{4})\.\s|[!?]\s|\n/u).pop() ?? '';
    const cue = READING_CUE.test(sentence) || (hasContext && WEAK_CUE.test(sentence));
    if (!unit && !cue) continue;
    if (!READING_CUE.test(sentence) && CONSUMPTION.test(sentence)) continue;
    let score = (unit ? 3 : 0) + (cue ? 2 : 0) + (hasContext ? 1 : 0);
    if (value < 1 && !unit) score -= 2; // "0,5" is rarely a whole reading
    if (!best || score > best.score) best = { value, score };
  }
  return best && best.score >= 2 ? best.value : undefined;
}
