import { it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanText, htmlToPlain } from '../../src/conversations/bodies.js';
import { replyParserSpedUp, reverseCodeUnits } from '../../src/conversations/replyParserSpeedup.js';

it('bodyClean drops quoted history and signatures of plain-text mails (English and German)', () => {
  assert.equal(cleanText('Hi,\nmy reading is 12345.\n\nOn Mon, 1 Mar 2024 at 10:00, Service <service@example.com> wrote:\n> Please send your reading.\n> Thanks'), 'Hi,\nmy reading is 12345.');
  assert.equal(cleanText('Hallo,\nanbei mein Zählerstand.\n\nAm 01.03.2024 um 10:00 schrieb Service <service@example.de>:\n> Bitte senden Sie uns den Zählerstand.'), 'Hallo,\nanbei mein Zählerstand.');
  assert.equal(cleanText('Please cancel my contract.\n\n-- \nJohn Smith\nACME Ltd'), 'Please cancel my contract.');
  assert.equal(cleanText('Zählerstand 4711\n\nSent from my iPhone'), 'Zählerstand 4711');
  assert.equal(cleanText('Bitte Abschlag anpassen.\n\nMit freundlichen Grüßen\nErika Muster\nTel. 0170 1234567'), 'Bitte Abschlag anpassen.');
  assert.equal(cleanText('Neue IBAN anbei.\n\n-----Ursprüngliche Nachricht-----\nVon: Service <service@example.de>\nBetreff: IBAN'), 'Neue IBAN anbei.');
});

it('bodyPlain keeps everything the customer can see; HTML quote blocks leave bodyClean', () => {
  const html = '<p>Hallo,</p><p>mein Zählerstand: <b>12.345,6</b></p><blockquote>Alte Nachricht</blockquote>';
  assert.match(htmlToPlain(html), /Alte Nachricht/);
  assert.equal(cleanText(html), 'Hallo,\n\nmein Zählerstand: 12.345,6');
});

it('the reply-parser speed-up is in place and reverses exactly as the library does', () => {
  assert.equal(replyParserSpedUp, true, 'email-reply-parser changed its internals: review replyParserSpeedup.ts');
  for (const s of ['', 'a', 'abc', 'Grüße 😀 ok', '\ud83d', 'line one\r']) {
    let reference = '';
    for (let i = s.length; i > 0; i--) reference += s.substring(i - 1, i);
    assert.equal(reverseCodeUnits(s), reference);
  }
});
