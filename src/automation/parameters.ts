import type { ParameterSpec, Playbook } from './playbook.js';

// The playbook's parameters resolved for one intent: from the pipeline's extraction (message),
// the ticket's fields, or the customer system's record (customer / contract). An intent is
// `ready` when every required parameter is known.

export interface ResolveInput {
  /** what the pipeline extracted from the message (src/ai/extract) */
  extracted: Record<string, unknown>;
  /** the message text, for the label extractor (capped by AI_MAX_TEXT_CHARS upstream) */
  text: string;
  ticket: { contractId: string | null; customerId: string | null; fromEmail: string | null; fromName: string | null; subject: string };
  customer?: Record<string, unknown> | null;
  contract?: Record<string, unknown> | null;
}

const LABEL_VALUE_MAX = 40;

/**
 * The `pattern` extractor: the first value of the given shape after a label ("Kundennummer: 12345",
 * "Kundennummer 12345"). A fixed scan (indexOf and character tests), never an admin-written regex
 * over customer text, so its cost is linear in the text whatever the playbook says.
 */
export function valueAfterLabel(text: string, label: string, shape: 'digits' | 'alphanumeric'): string | undefined {
  const hay = text.toLowerCase();
  const needle = label.toLowerCase();
  const ok = shape === 'digits' ? (c: string) => c >= '0' && c <= '9' : (c: string) => /[\p{L}\p{N}]/u.test(c) || c === '-';
  let from = 0;
  for (;;) {
    const at = hay.indexOf(needle, from);
    if (at < 0) return undefined;
    let i = at + needle.length;
    // separators between label and value: spaces, colon, #, "nr", "no", dots
    let skipped = 0;
    while (i < text.length && skipped < 12 && ' \t:#.-'.includes(text[i]!)) {
      i++;
      skipped++;
    }
    for (const word of ['nr.', 'nr', 'no.', 'no']) {
      if (hay.startsWith(word, i) && !ok(text[i + word.length] ?? ' ')) {
        i += word.length;
        while (i < text.length && ' \t:#.'.includes(text[i]!)) i++;
        break;
      }
    }
    let j = i;
    while (j < text.length && j - i < LABEL_VALUE_MAX && ok(text[j]!)) j++;
    let end = j;
    while (end > i && text[end - 1] === '-') end--;
    const value = text.slice(i, end);
    if (value && (shape !== 'alphanumeric' || /\d/.test(value))) return value;
    from = at + needle.length;
  }
}

function fromMessage(spec: ParameterSpec, input: ResolveInput): unknown {
  const x = input.extracted;
  switch (spec.extractor) {
    case 'meterValue': return x.meterValue;
    case 'meterNumber': return x.meterNumber;
    case 'iban': return x.iban;
    case 'date': return x.moveDate ?? x.terminationDate;
    case 'contractNumber': return x.contractNumber;
    case 'customerNumber': return x.customerNumber;
    case 'pattern': return valueAfterLabel(input.text, spec.label!, spec.shape ?? 'alphanumeric');
    default: return undefined;
  }
}

function typed(spec: ParameterSpec, v: unknown): unknown {
  if (v === undefined || v === null || v === '') return undefined;
  if (spec.type === 'number') {
    const n = typeof v === 'number' ? v : Number(String(v).replace(',', '.'));
    return Number.isFinite(n) ? n : undefined;
  }
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

export function resolveParameters(playbook: Playbook, input: ResolveInput): { values: Record<string, unknown>; missing: string[] } {
  const values: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const spec of playbook.parameters) {
    const raw = spec.source === 'message' ? fromMessage(spec, input)
      : spec.source === 'ticket' ? input.ticket[spec.field as keyof ResolveInput['ticket']]
      : ((spec.source === 'customer' ? input.customer : input.contract)?.[spec.field!]);
    const v = typed(spec, raw);
    if (v !== undefined) values[spec.key] = v;
    else if (spec.required) missing.push(spec.key);
  }
  return { values, missing };
}

/** A contract is involved when the ticket names one or the playbook reads the customer's or contract's record. */
export function involvesContract(playbook: Playbook, contractId: string | null): boolean {
  return contractId !== null || playbook.parameters.some((p) => p.source === 'customer' || p.source === 'contract');
}
