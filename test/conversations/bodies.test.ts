import { it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanText, htmlToPlain } from '../../src/conversations/bodies.js';
import { MAX_HTML_DEPTH, renderHtmlBodies } from '../../src/conversations/renderHtmlBodies.js';

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

it('one parse: Gmail, Outlook and Thunderbird quote blocks and signatures leave bodyClean', () => {
  const gmail = '<div dir="ltr">Zählerstand 4711</div><div class="gmail_signature">Max</div><div class="gmail_quote"><div class="gmail_attr">Am Mo. schrieb Service:</div><blockquote>Bitte senden</blockquote></div>';
  assert.equal(cleanText(gmail), 'Zählerstand 4711');
  const outlook = '<div>Bitte kündigen.</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>Von:</b> Service</div><div>Alte Nachricht</div>';
  assert.equal(cleanText(outlook), 'Bitte kündigen.');
  const desktop = '<p>Neue IBAN anbei.</p><div style="border:none;border-top:solid #E1E1E1 1.0pt"><p><b>From:</b> Service</p></div><p>Old text</p>';
  assert.equal(cleanText(desktop), 'Neue IBAN anbei.');
  assert.match(htmlToPlain(desktop), /Old text/);
  const tb = '<p>Reading 123</p><div class="moz-cite-prefix">On 1 Mar, Service wrote:</div><blockquote type="cite">old</blockquote><div class="moz-signature">-- <br>John</div>';
  assert.equal(cleanText(tb), 'Reading 123');
});

it('hostile text is derived, not failed: 300 KB of "<a " (no tag ever closes) answers with its text', () => {
  const body = '<a '.repeat(100_000);
  assert.equal(cleanText(body), body.trim());
});

it('HTML nested past MAX_HTML_DEPTH: the structure is read up to the cap, the rest as text (entities decoded, tags dropped)', () => {
  const nested = (n: number) => '<p>Vorher</p>' + '<div>'.repeat(n) + 'Z&auml;hlerstand <b>4711</b>, a &lt; b < c' + '</div>'.repeat(n) + '<blockquote>Alt</blockquote>';
  const shallow = renderHtmlBodies(nested(MAX_HTML_DEPTH - 1));
  assert.equal(shallow.capped, false);
  assert.equal(shallow.clean, 'Vorher\n\nZählerstand 4711, a < b < c');
  for (const n of [MAX_HTML_DEPTH + 1, 60_000]) {
    const deep = renderHtmlBodies(nested(n));
    assert.equal(deep.capped, true, `${n} deep`);
    // Past the cap the blockquote is no longer seen as a quote: derived, not failed.
    assert.equal(deep.plain, 'Vorher\n\nZählerstand 4711, a < b < c Alt');
    assert.equal(deep.clean, deep.plain);
  }
  // Text past the cap inside a quote stays out of bodyClean; inside a hidden element out of both.
  const quoted = renderHtmlBodies('<p>Neu</p><blockquote>' + '<div>'.repeat(300) + 'Alt');
  assert.deepEqual([quoted.plain, quoted.clean, quoted.capped], ['Neu\n\nAlt', 'Neu', true]);
  const hidden = renderHtmlBodies('<p>Neu</p><template>' + '<div>'.repeat(300) + 'Versteckt');
  assert.deepEqual([hidden.plain, hidden.capped], ['Neu', true]);
});

// The labelled set (issue 12 item 1): real-shaped mails from Gmail, Outlook web, desktop and iOS,
// Apple Mail, Thunderbird, Yahoo, GMX and Web.de, in German and English, HTML and plain text;
// each `name.html` / `name.txt` has its expected bodyClean in `name.expected.txt`.
const MAILS = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/mails');
const normalised = (s: string) => s.replace(/\s+/g, ' ').trim();

it('the labelled mail set: every bodyClean is the expected one (after whitespace normalisation)', () => {
  const names = fs.readdirSync(MAILS).filter((f) => !f.endsWith('.expected.txt')).sort();
  assert.ok(names.length >= 20, `${names.length} mails`);
  const wrong: string[] = [];
  for (const name of names) {
    const body = fs.readFileSync(path.join(MAILS, name), 'utf8');
    const expected = fs.readFileSync(path.join(MAILS, name.replace(/\.(?:html|txt)$/, '.expected.txt')), 'utf8');
    const got = cleanText(body);
    if (normalised(got) !== normalised(expected)) wrong.push(`${name}\n  expected: ${JSON.stringify(normalised(expected))}\n  got:      ${JSON.stringify(normalised(got))}`);
  }
  assert.deepEqual(wrong, [], `${names.length - wrong.length}/${names.length} right:\n${wrong.join('\n')}`);
});
