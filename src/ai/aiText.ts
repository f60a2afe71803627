// The text every AI step reads (language detection, intent features, extraction, the LLM
// prompt): the subject and body of one message, cut to AI_MAX_TEXT_CHARS. What a customer needs
// understood sits at the top of a mail; the rest is quoted history, signatures and pasted logs,
// and every step's cost grows with the length, so one cap here bounds them all.

/** Subject and body joined as the AI steps read them, at most `maxChars` characters. */
export function aiText(parts: readonly (string | null | undefined)[], maxChars: number): string {
  const text = parts.filter((p): p is string => Boolean(p)).join('\n');
  if (text.length <= maxChars) return text;
  // Never split a surrogate pair: a lone half would be a different character downstream.
  const end = /[\uD800-\uDBFF]/.test(text[maxChars - 1] ?? '') ? maxChars - 1 : maxChars;
  return text.slice(0, end);
}
