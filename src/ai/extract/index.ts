// Parameters a customer message carries, extracted from its text: meter reading and number, IBAN,
// contract and customer number, move and termination dates. Each extractor claims the characters
// it reads, in order of how unmistakable its pattern is (IBAN, identifiers, dates), so the meter
// reading is never a piece of an IBAN, a date or a customer number.

import { detectLanguage } from '../language.js';
import { classifyDates, findDates } from './dates.js';
import { findIbans, pickIban } from './iban.js';
import { findIdentifiers, otherReferenceSpans } from './identifiers.js';
import { findMeterValue } from './numbers.js';
import type { Span } from './spans.js';

export interface ExtractedParameters {
  meterValue?: number;
  meterNumber?: string;
  /** normalised (no spaces, upper case) and mod-97 checked */
  iban?: string;
  contractNumber?: string;
  customerNumber?: string;
  /** YYYY-MM-DD */
  moveDate?: string;
  /** YYYY-MM-DD */
  terminationDate?: string;
}

export interface ExtractOptions {
  /** the day a date without a year is read relative to; default now */
  referenceDate?: Date;
}

export function extractParameters(text: string, language?: 'de' | 'en', opts: ExtractOptions = {}): ExtractedParameters {
  const lang = language ?? detectLanguage(text) ?? undefined;
  const out: ExtractedParameters = {};
  const claimed: Span[] = [];

  const ibans = findIbans(text);
  claimed.push(...ibans);
  const iban = pickIban(text, ibans);
  if (iban) out.iban = iban.iban;

  const ids = findIdentifiers(text);
  for (const key of ['meterNumber', 'contractNumber', 'customerNumber'] as const) {
    const id = ids[key];
    if (id && !claimed.some((c) => id.start < c.end && c.start < id.end)) {
      out[key] = id.value;
      claimed.push(id);
    }
  }
  claimed.push(...otherReferenceSpans(text));

  const dates = findDates(text, { language: lang, ...(opts.referenceDate ? { referenceDate: opts.referenceDate } : {}) });
  claimed.push(...dates);
  Object.assign(out, classifyDates(text, dates));

  const meterValue = findMeterValue(text, lang, claimed);
  if (meterValue !== undefined) out.meterValue = meterValue;
  return out;
}

export { isValidIban, normalizeIban } from './iban.js';
export { parseLocaleNumber } from './numbers.js';
