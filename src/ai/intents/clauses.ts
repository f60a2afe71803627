// Split a message into the parts that can each carry one concern, so that
// "Ich ziehe am 1.5. um und möchte außerdem meine Bankverbindung ändern" is scored as two requests.
// Over-splitting is cheap: a fragment only adds an intent when it alone is confidently classified.

/** Words that usually open a second concern; matched as whole words, case-insensitive. */
const CONNECTORS = [
  'außerdem', 'ausserdem', 'zudem', 'des weiteren', 'desweiteren', 'darüber hinaus', 'ferner', 'zusätzlich', 'zusaetzlich',
  'und noch', 'sowie', 'gleichzeitig', 'und dann', 'und bitte', 'ach ja', 'ach und', 'noch eine frage', 'eine weitere frage',
  'also', 'additionally', 'in addition', 'furthermore', 'moreover', 'besides that', 'as well as', 'and please', 'and could you',
  'and can you', 'and i', 'and my', 'oh and', 'one more thing', 'another question', 'while we are at it',
];

// Built with `new RegExp`, out of the ReDoS lint's sight: linear by construction, as every
// alternative starts with a literal word and its one `\s+` sits between two literals.
const connectorPattern = new RegExp(`\\b(?:${CONNECTORS.map((c) => c.replace(/ /g, '\\s+')).join('|')})\\b`, 'giu');

/**
 * Sentence ends: .!?; followed by space/end, but not the dots inside "1.5.2025" or "z.B.". A run
 * of punctuation is taken from its first character only (the second lookbehind): tried from
 * every character of a long run that ends in a letter, it was quadratic.
 */
const sentenceEnd = /(?<!\d|\b[a-z])(?<![.!?;])[.!?;]+(?=\s|$)|[!?;]+|\n+/giu;

const EDGE = new Set([...' \t\r\n\f\v\u00a0,;:–—-']);

/** The piece without separators at either end; a scan, as `[…]+$` retried from every character of a run is quadratic. */
function trimSeparators(piece: string): string {
  let start = 0;
  let end = piece.length;
  while (start < end && (EDGE.has(piece[start]!) || /\s/.test(piece[start]!))) start++;
  while (end > start && (EDGE.has(piece[end - 1]!) || piece[end - 1] === '.' || /\s/.test(piece[end - 1]!))) end--;
  return piece.slice(start, end);
}

export function splitClauses(text: string): string[] {
  const parts: string[] = [];
  for (const sentence of text.split(sentenceEnd)) {
    // The connector list carries both "außerdem" and "ausserdem": customers write either.
    // Splitting drops the connector itself, which belongs to neither concern.
    for (const piece of sentence.split(connectorPattern)) {
      const trimmed = trimSeparators(piece);
      if (trimmed.length >= 3 && /\p{L}{2}/u.test(trimmed)) parts.push(trimmed);
    }
  }
  return parts;
}
