import { compile } from 'html-to-text';
import EmailReplyParser from 'email-reply-parser';
import './replyParserSpeedup.js';

// Plain text keeps everything the customer can see; clean text is what AI and agents read:
// quoted history (blockquotes, mail-client quote blocks, "On … wrote:" / "Am … schrieb:") and
// signatures are gone.

const baseSelectors = [
  { selector: 'a', options: { ignoreHref: true } },
  { selector: 'img', format: 'skip' },
  { selector: 'h1', options: { uppercase: false } },
  { selector: 'h2', options: { uppercase: false } },
  { selector: 'h3', options: { uppercase: false } },
  { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
];

const toPlain = compile({ wordwrap: false, selectors: baseSelectors });

const toPlainWithoutQuotes = compile({
  wordwrap: false,
  selectors: [
    ...baseSelectors,
    { selector: 'blockquote', format: 'skip' },
    { selector: 'div.gmail_quote', format: 'skip' },
    { selector: 'div.gmail_signature', format: 'skip' },
    { selector: 'div.moz-cite-prefix', format: 'skip' },
    { selector: 'div#appendonsend', format: 'skip' },
    { selector: 'div#divRplyFwdMsg', format: 'skip' },
  ],
});

// email-reply-parser knows English sign-offs and many locales' quote headers, but not German
// closings; German is our first market, so these are cut here.
const GERMAN_CLOSING = /^\s*(mit freundlichen gr(ü|ue)(ß|ss)en|freundliche gr(ü|ue)(ß|ss)e|viele gr(ü|ue)(ß|ss)e|beste gr(ü|ue)(ß|ss)e|liebe gr(ü|ue)(ß|ss)e|herzliche gr(ü|ue)(ß|ss)e|sch(ö|oe)ne gr(ü|ue)(ß|ss)e|gru(ß|ss)|mfg|vg|lg)\s*[,!.]?\s*$/i;
const FORWARD_HEADER = /^\s*-{2,}\s*(urspr(ü|ue)ngliche nachricht|original message|weitergeleitete nachricht|forwarded message)\s*-{2,}\s*$/i;
// A plain-text "-- " line is the RFC 3676 signature separator.
const SIG_SEPARATOR = /^-- ?$/;

// A tag, a comment or a doctype. "Service <service@example.de>" in a plain-text mail is not a
// tag: a tag name is letters and digits, followed by whitespace, "/" or ">".
const HTML_MARKUP = /<\/?[a-z][a-z0-9-]*(?:\s[^>]*)?\/?>|<!--|<!doctype/i;

function looksLikeHtml(s: string): boolean {
  return HTML_MARKUP.test(s);
}

export function htmlToPlain(body: string): string {
  if (!body) return '';
  return (looksLikeHtml(body) ? toPlain(body) : body).trim();
}

export function cleanText(body: string): string {
  if (!body) return '';
  const text = looksLikeHtml(body) ? toPlainWithoutQuotes(body) : body;
  const visible = new EmailReplyParser().read(text).getVisibleText();
  const kept: string[] = [];
  for (const line of visible.split('\n')) {
    if (GERMAN_CLOSING.test(line) || FORWARD_HEADER.test(line) || SIG_SEPARATOR.test(line)) break;
    kept.push(line);
  }
  return kept.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
