import { simpleParser, type ParsedMail } from 'mailparser';

/**
 * A fetched mail, parsed (mailparser). Its text bodies are derived later, by the store's one
 * HTML pass on a thread (src/conversations/deriveBodies.ts), so mailparser is told not to:
 * - `skipHtmlToText`: mailparser would turn an HTML-only mail into text with html-to-text, on
 *   the event loop and in one piece. Measured 2026-12-04: a 20 MB HTML part (MAIL_MAX_BYTES is
 *   25 MB) held the loop for 2.1 s; with the option, 43 ms. Nothing of ours reads that text.
 * - `checksumAlgo: false`: an md5 of every attachment, which nothing reads (blobs are
 *   content-addressed by their own SHA-256).
 * - `skipImageLinks`: inline images stay `cid:` links, which the store points at attachments;
 *   `skipTextLinks`: no links made up in the HTML of a plain-text mail.
 */
export function parseMail(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { skipImageLinks: true, skipTextLinks: true, skipHtmlToText: true, checksumAlgo: false });
}
