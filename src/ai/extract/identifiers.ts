// Reference numbers a customer quotes: meter number, contract number, customer number. Each is
// found after its label ("Zählernummer:", "Kundennr.", "contract account"), except German meter
// ids in the DIN 43863-5 form ("1ESY1160123456"), which are unmistakable on their own.

import type { Span } from './spans.js';

export interface IdentifierMatch extends Span {
  value: string;
}

// Built with `new RegExp`, so out of the ReDoS lint's sight: linear by construction. No two
// adjacent parts can take the same character (each optional `\s*` follows a required token), so
// a label followed by a long run of spaces is scanned once, not once per way to split the run
// (`\s*-?\s*` took 6 s on 40k spaces).
const SEP = String.raw`\s*(?:[:#.-]\s*)?(?:(?:ist|lautet|is|are|:)\s*)?`;
const TOKEN = String.raw`([a-z0-9]+(?:[-/][a-z0-9]+)*)`;

const METER_LABEL = String.raw`(?:z(?:ä|ae|a)hler|meter)\s*(?:-\s*)?(?:nummer|nr\.?|no\.?|number|id|serial(?:\s*number)?|#)`;
const CONTRACT_LABEL = String.raw`(?:vertrags\s*(?:-\s*)?(?:nummer|nr\.?|konto(?:nummer)?)|vertragskonto|\bvk\s*(?:-\s*)?nr\.?|contract\s*(?:account\s*)?(?:number|no\.?|id|#)|contract\s+account)`;
const CUSTOMER_LABEL = String.raw`(?:kunden\s*(?:-\s*)?(?:nummer|nr\.?|konto(?:nummer)?|id)|\bkd\.?\s*(?:-\s*)?nr\.?|customer\s*(?:account\s*)?(?:number|no\.?|id|#)|(?<!contract\s)\baccount\s*(?:number|no\.?|#))`;

function labelled(label: string): RegExp {
  return new RegExp(`${label}${SEP}${TOKEN}`, 'giu');
}

const PATTERNS = { meter: labelled(METER_LABEL), contract: labelled(CONTRACT_LABEL), customer: labelled(CUSTOMER_LABEL) };
/** DIN 43863-5 meter id: a digit, a three-letter manufacturer code, then digits */
const DIN_METER_ID = /\b\d[A-Z]{3}\d{7,12}\b/g;

function first(text: string, re: RegExp, valid: (v: string) => boolean): IdentifierMatch | undefined {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const value = m[1] ?? m[0];
    if (!valid(value)) continue;
    const end = m.index + m[0].length;
    return { value: value.toUpperCase(), start: end - value.length, end };
  }
  return undefined;
}

/** Reference numbers carry at least four digits; that rules out "Kundennummer ist unbekannt". */
const hasDigits = (v: string): boolean => (v.match(/\d/g)?.length ?? 0) >= 4 && v.length <= 24;

export function findIdentifiers(text: string): { meterNumber?: IdentifierMatch; contractNumber?: IdentifierMatch; customerNumber?: IdentifierMatch } {
  const meterNumber = first(text, PATTERNS.meter, hasDigits) ?? first(text, DIN_METER_ID, () => true);
  return {
    ...(meterNumber ? { meterNumber } : {}),
    ...optional('contractNumber', first(text, PATTERNS.contract, hasDigits)),
    ...optional('customerNumber', first(text, PATTERNS.customer, hasDigits)),
  };
}

function optional<K extends string>(key: K, v: IdentifierMatch | undefined): Partial<Record<K, IdentifierMatch>> {
  return v ? ({ [key]: v } as Record<K, IdentifierMatch>) : {};
}

/** Spans of other labelled numbers ("Rechnungsnummer 2024-118822") that are no reading either. */
export function otherReferenceSpans(text: string): Span[] {
  const re = /(?:nummer|nr\.?|number|no\.?|#)\s*(?:[:.]\s*)?([a-z0-9]+(?:[-/][a-z0-9]+)*)/giu;
  const spans: Span[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const end = m.index + m[0].length;
    if (/\d/.test(m[1] ?? '')) spans.push({ start: end - (m[1] ?? '').length, end });
  }
  return spans;
}
