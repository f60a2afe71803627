import { it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMail } from '../../src/mail/parseMail.js';
import { mailToStoreInput } from '../../src/mail/mailToMessage.js';
import { rawMail } from './mails.js';

// No mail server needed: what the mail parser is asked to do, and what it is left out of.

it('an HTML-only mail keeps its HTML and gets no text from mailparser (the store derives it off the event loop)', async () => {
  const html = '<div><p>Guten Tag,</p><p>mein Zählerstand ist 12.345 kWh.</p></div>';
  const parsed = await parseMail(Buffer.from(rawMail({ html })));
  assert.equal(typeof parsed.html === 'string' ? parsed.html.trim() : parsed.html, html);
  // html-to-text on the event loop held it 2.1 s for a 20 MB part; nothing of ours reads `text`.
  assert.equal(parsed.text ?? '', '');
  assert.equal(mailToStoreInput(parsed, { subchannelId: 1, uidValidity: '1', uid: 1, messageId: 'm@x' }).body?.trim(), html);
});

it('a plain-text mail still becomes HTML for the store, without made-up links; attachments carry no md5', async () => {
  const parsed = await parseMail(Buffer.from(rawMail({
    text: 'Siehe https://example.de/zaehler\r\nErika',
    attachment: { name: 'zaehler.pdf', contentType: 'application/pdf', bytes: Buffer.from('%PDF-1.4 test') },
  })));
  assert.match(parsed.textAsHtml ?? '', /Siehe https:\/\/example\.de\/zaehler/);
  assert.doesNotMatch(parsed.textAsHtml ?? '', /<a /);
  assert.equal(parsed.attachments.length, 1);
  assert.equal(parsed.attachments[0]!.checksum, undefined);
  assert.equal(parsed.attachments[0]!.content.toString(), '%PDF-1.4 test');
});
