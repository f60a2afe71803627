import { Parser } from 'htmlparser2';

// bodyPlain and bodyClean of an HTML mail from one streaming pass of htmlparser2: no DOM, no
// recursion, and every step of ours is linear in the input. Plain text is everything a reader
// sees; clean text leaves out what mail clients mark as quoted history or signature.

/**
 * Open elements past which the structure is no longer read. htmlparser2 12 keeps its open-element
 * stack with unshift/shift, so each tag costs the current depth: 60,000 nested divs took ~5 s
 * (measured, with empty handlers). Real mail nests a few dozen deep (Outlook's tables-in-tables
 * reach ~40); past the cap the rest is read as text (tagsToText), so the message is still derived.
 */
export const MAX_HTML_DEPTH = 256;
// Each "<" scans only to the next "<" or ">": linear, where `<[^>]*>` would be quadratic.
const TAG = /<[^<>]*>/g;
/** Inline tags, which join the text around them; every other tag separates words. */
const INLINE_TAG = /^<\/?(?:[abius]|em|strong|span|font|small|big|sub|sup|code|abbr|mark)(?![\da-z])/i;

/** Elements that start a new line (html-to-text's layout, which the previous renderer used). */
const BLOCK: ReadonlyMap<string, number> = new Map([
  ...['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'table', 'pre', 'hr'].map((t) => [t, 2] as const),
  ...['div', 'li', 'tr', 'section', 'article', 'header', 'footer', 'main', 'nav', 'aside', 'address', 'center', 'dl', 'dt', 'dd', 'figure', 'form', 'fieldset', 'caption', 'tbody', 'thead', 'tfoot'].map((t) => [t, 1] as const),
]);
/** Content no reader sees. */
const HIDDEN = new Set(['head', 'title', 'style', 'script', 'template', 'noscript', 'xml']);
// Quote and signature containers as Gmail, Thunderbird, Outlook (web and desktop), Apple Mail
// and GMX/Web.de write them; their content leaves bodyClean.
const QUOTE_CLASSES = ['gmail_quote', 'moz-cite-prefix', 'moz-forward-container', 'gmail_signature', 'moz-signature', 'yahoo_quoted', 'protonmail_quote'];
const QUOTE_IDS = new Set(['signature', 'divsignature', 'x_signature', 'ms-outlook-mobile-signature']);
const QUOTE_NAMES = new Set(['quote', 'quoted-content', 'quotecontent']);
// Outlook writes its reply header and the quoted mail as siblings of the answer, not inside a
// container: from these markers on, the rest of the document is history.
const HISTORY_IDS = new Set(['divrplyfwdmsg', 'appendonsend', 'x_divrplyfwdmsg', 'x_appendonsend']);
const HISTORY_CLASSES = ['OutlookMessageHeader'];
/** Outlook desktop's header block: a border-top div whose text starts with a header field. */
const HEADER_START = /^(?:from|von|de|van|da|sent|gesendet):/i;
const HEADER_PROBE_CHARS = 24;
const SPACE_RUN = /[\t\n\f\r \u00a0]+/;

/** One output text: collapses whitespace, and keeps the line breaks blocks ask for. */
class TextOut {
  text = '';
  private trailingBreaks = 0;
  private wantBreaks = 0;
  private wantSpace = false;

  block(n: number): void {
    this.wantBreaks = Math.max(this.wantBreaks, n);
    this.wantSpace = false;
  }

  lineBreak(): void {
    this.text += '\n';
    this.trailingBreaks++;
    this.wantSpace = false;
  }

  space(): void {
    if (this.text !== '' && this.trailingBreaks === 0) this.wantSpace = true;
  }

  private word(w: string): void {
    if (this.text !== '' && this.wantBreaks > this.trailingBreaks) this.text += '\n'.repeat(this.wantBreaks - this.trailingBreaks);
    else if (this.wantSpace && this.trailingBreaks === 0) this.text += ' ';
    this.wantBreaks = 0;
    this.wantSpace = false;
    this.text += w;
    this.trailingBreaks = 0;
  }

  flowing(data: string): void {
    const words = data.split(SPACE_RUN);
    for (let i = 0; i < words.length; i++) {
      if (i > 0) this.space();
      if (words[i] !== '') this.word(words[i]!);
    }
  }

  preformatted(data: string): void {
    const lines = data.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (i > 0) this.lineBreak();
      if (lines[i] !== '') this.word(lines[i]!);
    }
  }

  /** The text so far, to cut back to if what follows turns out to be history. */
  mark(): number {
    return this.text.length;
  }

  cutBackTo(mark: number): void {
    this.text = this.text.slice(0, mark);
    this.trailingBreaks = 0;
    this.wantBreaks = 0;
  }
}

interface Open {
  hidden: boolean;
  quote: boolean;
  pre: boolean;
  block: number;
  /** For a border-top div: where clean text stood when it opened, until its first text decides. */
  headerMark: number | null;
}

function hasClass(attribs: Record<string, string>, names: readonly string[]): boolean {
  const cls = attribs.class;
  if (!cls) return false;
  const list = cls.split(SPACE_RUN);
  return names.some((n) => list.includes(n));
}

function isQuote(name: string, a: Record<string, string>): boolean {
  return name === 'blockquote' || hasClass(a, QUOTE_CLASSES) || (a.id !== undefined && QUOTE_IDS.has(a.id.toLowerCase())) || (a.name !== undefined && QUOTE_NAMES.has(a.name.toLowerCase()));
}

function startsHistory(a: Record<string, string>): boolean {
  return (a.id !== undefined && HISTORY_IDS.has(a.id.toLowerCase())) || hasClass(a, HISTORY_CLASSES);
}

function isBorderTop(name: string, a: Record<string, string>): boolean {
  const style = a.style?.toLowerCase();
  return name === 'div' && style !== undefined && style.includes('border-top') && style.includes('solid');
}

export interface RenderedBodies {
  plain: string;
  /** Clean text before the line rules of replyText.ts (closings, "-- ", forward headers). */
  clean: string;
  /** Whether the nesting passed MAX_HTML_DEPTH, so the rest was read as text. */
  capped: boolean;
}

/**
 * The text of markup read without its structure: inline tags vanish, other tags become spaces, a stray "<" stays text, and
 * entities are decoded by a parser that sees no tags at all (so it keeps no stack).
 */
function tagsToText(html: string): string {
  let text = '';
  const decoder = new Parser({ ontext: (data) => void (text += data) }, { decodeEntities: true });
  decoder.end(html.replace(TAG, (tag) => (INLINE_TAG.test(tag) ? '' : ' ')).replaceAll('<', '&lt;'));
  return text;
}

export function renderHtmlBodies(html: string): RenderedBodies {
  const plain = new TextOut();
  const clean = new TextOut();
  const open: Open[] = [];
  let hidden = 0;
  let quoted = 0;
  let pre = 0;
  let history = false;
  let probe: { mark: number; seen: string } | null = null;
  let cutAt: number | null = null;

  const toClean = () => quoted === 0 && !history;
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const el: Open = { hidden: HIDDEN.has(name), quote: isQuote(name, attribs), pre: name === 'pre', block: BLOCK.get(name) ?? 0, headerMark: null };
        if (!history && startsHistory(attribs)) history = true;
        if (toClean() && isBorderTop(name, attribs)) {
          el.headerMark = clean.mark();
          probe = { mark: el.headerMark, seen: '' };
        }
        open.push(el);
        if (open.length > MAX_HTML_DEPTH && cutAt === null) {
          // Stop the structural parser after this tag; the rest is read as text below.
          cutAt = parser.endIndex + 1;
          parser.pause();
        }
        if (el.hidden) hidden++;
        if (el.quote) quoted++;
        if (el.pre) pre++;
        if (el.block) {
          plain.block(el.block);
          clean.block(el.block);
        } else if (name === 'br') {
          plain.lineBreak();
          if (toClean()) clean.lineBreak();
        } else if (name === 'td' || name === 'th') {
          plain.space();
          clean.space();
        }
      },
      onclosetag() {
        const el = open.pop();
        if (!el) return;
        if (el.hidden) hidden--;
        if (el.quote) quoted--;
        if (el.pre) pre--;
        if (el.headerMark !== null && probe?.mark === el.headerMark) probe = null;
        if (el.block) {
          plain.block(el.block);
          clean.block(el.block);
        }
      },
      ontext(data) {
        if (hidden > 0) return;
        if (pre > 0) plain.preformatted(data);
        else plain.flowing(data);
        if (!toClean()) return;
        if (probe) {
          // The first characters of a border-top div say whether it is Outlook's header block.
          const start = (probe.seen + data).trimStart().slice(0, HEADER_PROBE_CHARS);
          probe.seen = start;
          if (HEADER_START.test(start)) {
            clean.cutBackTo(probe.mark);
            history = true;
            probe = null;
            return;
          }
          if (start.length >= HEADER_PROBE_CHARS) probe = null;
        }
        if (pre > 0) clean.preformatted(data);
        else clean.flowing(data);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  if (cutAt === null) parser.end();
  else if (hidden === 0) {
    const rest = tagsToText(html.slice(cutAt));
    if (pre > 0) plain.preformatted(rest);
    else plain.flowing(rest);
    if (toClean()) {
      if (pre > 0) clean.preformatted(rest);
      else clean.flowing(rest);
    }
  }
  return { plain: plain.text, clean: clean.text, capped: cutAt !== null };
}
