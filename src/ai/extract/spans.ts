// Character ranges already claimed by one extractor (an IBAN, a date, a meter number), so that
// the next one does not read the same digits as something else.

export interface Span {
  start: number;
  end: number;
}

export function overlaps(a: Span, spans: readonly Span[]): boolean {
  return spans.some((s) => a.start < s.end && s.start < a.end);
}
