import EmailReplyParser from 'email-reply-parser';
import { renderHtmlBodies } from './renderHtmlBodies.js';

// Plain text keeps everything the customer can see; clean text is what AI and agents read:
// quoted history and signatures are gone. HTML mail is read by its structure in one pass
// (renderHtmlBodies.ts); only plain-text mail, which has no structure, goes through
// email-reply-parser's text heuristics. The line rules below apply to both.

// email-reply-parser knows English sign-offs and many locales' quote headers, but not German
// closings; German is our first market, so these are cut here.
const CLOSING = /^\s*(?:mit freundlichen gr(?:ü|ue)(?:ß|ss)en|freundliche gr(?:ü|ue)(?:ß|ss)e|(?:viele|beste|liebe|herzliche|sch(?:ö|oe)ne) gr(?:ü|ue)(?:ß|ss)e|gru(?:ß|ss)|mfg|vg|lg|best regards|kind regards|regards)(?:\s*[!,.])?\s*$/i;
const FORWARD_HEADER = /^\s*-{2,}\s*(?:urspr(?:ü|ue)ngliche nachricht|original-nachricht|original message|weitergeleitete nachricht|forwarded message)\s*-{2,}\s*$/i;
const SENT_FROM = /^\s*(?:sent from my |von meinem \S+ gesendet|gesendet von meinem |get outlook for )/i;
// A line "On … wrote:" / "Am … schrieb …:" that no container marked (Apple Mail's plain forms).
const ATTRIBUTION = /^\s*(?:on .{1,200} wrote|am .{1,200} schrieb[^:]{0,200}):\s*$/i;
// A header block of a quoted or forwarded mail ("Von: … / Gesendet: …", GMX and Outlook).
const HEADER_FIELD = /^\s*\*?(?:von|from|gesendet|sent|an|to|betreff|subject|datum|date|cc)\*?:/i;
const FROM_FIELD = /^\s*\*?(?:von|from)\*?:/i;
// A plain-text "-- " line is the RFC 3676 signature separator.
const RULE_LINE_CHARS = 300;
const PARSER_LINE_CHARS = 2000;
const SIG_SEPARATOR = /^--[\t ]?\r?$/;

// Gmail's plain part wraps a long attribution at 78 columns, often inside the address
// ("… schrieb Service <" / "service@example.de>:"), so a line and the next are tried together.
function isAttribution(lines: readonly string[], i: number): boolean {
  const next = lines[i + 1];
  return ATTRIBUTION.test(lines[i]!) || (next !== undefined && next.length <= RULE_LINE_CHARS && ATTRIBUTION.test(`${lines[i]!} ${next}`));
}

// A tag, a comment or a doctype. "Service <service@example.de>" in a plain-text mail is not a
// tag: a tag name is letters and digits, then whitespace, "/" or ">", and the tag closes before
// the next "<" (so each "<" scans only to the next one: linear, where `[^>]*` was quadratic).
const HTML_MARKUP = /<\/?[a-z][\da-z-]*(?:\s[^<>]*)?>|<!--|<!doctype/i;

export function looksLikeHtml(s: string): boolean {
  return HTML_MARKUP.test(s);
}

function startsHeaderBlock(lines: readonly string[], i: number): boolean {
  const here = lines[i]!;
  const next = lines[i + 1];
  if (!HEADER_FIELD.test(here) || next === undefined || !HEADER_FIELD.test(next)) return false;
  return FROM_FIELD.test(here) || FROM_FIELD.test(next);
}

/** Cuts at the first closing, signature separator, "sent from" line or quoted header. */
function cutTrailer(text: string): string {
  const lines = text.split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // Closings, separators and headers are short lines; a long one is text, and testing it
    // would make each rule's scan part of the cost of every long line.
    if (line.length > RULE_LINE_CHARS) continue;
    if (CLOSING.test(line) || FORWARD_HEADER.test(line) || SIG_SEPARATOR.test(line) || SENT_FROM.test(line) || isAttribution(lines, i) || startsHeaderBlock(lines, i)) {
      end = i;
      break;
    }
  }
  return lines.slice(0, end).join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

export interface Bodies {
  bodyPlain: string;
  bodyClean: string;
}

/** Both derived texts of a message body, from one parse of it. */
export function bodiesOf(body: string): Bodies {
  if (!body) return { bodyPlain: '', bodyClean: '' };
  if (looksLikeHtml(body)) {
    const { plain, clean } = renderHtmlBodies(body);
    return { bodyPlain: plain.trim(), bodyClean: cutTrailer(clean) };
  }
  // email-reply-parser's quote-header patterns are super-linear in a line's length (a 60 KB
  // line took 4 s, measured): a mail with a line that long is not a reply shape it knows.
  const visible = body.split('\n').some((l) => l.length > PARSER_LINE_CHARS) ? body : new EmailReplyParser().read(body).getVisibleText();
  return { bodyPlain: body.trim(), bodyClean: cutTrailer(visible) };
}

/** The derived texts a store asks for (null where the client sent its own), from one parse. */
export function requestedBodies(body: string, plain: boolean, clean: boolean): { bodyPlain: string | null; bodyClean: string | null } {
  if (!plain && !clean) return { bodyPlain: null, bodyClean: null };
  const derived = bodiesOf(body);
  return { bodyPlain: plain ? derived.bodyPlain : null, bodyClean: clean ? derived.bodyClean : null };
}

export function htmlToPlain(body: string): string {
  return bodiesOf(body).bodyPlain;
}

export function cleanText(body: string): string {
  return bodiesOf(body).bodyClean;
}
