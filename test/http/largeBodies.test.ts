import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../helpers/suite.js';
import { createTicket } from '../helpers/app.js';
import { cleanText, htmlToPlain } from '../../src/conversations/bodies.js';
import { configureBodyThreads, deriveBodies, offloadedBodies, LARGE_BODY_CHARS, OFFLOAD_MIN_CHARS } from '../../src/conversations/deriveBodies.js';

// A newsletter-sized HTML body: paragraphs, a quoted reply and a German closing, repeated.
function bigHtml(): string {
  const part = (i: number) => `<p>Absatz ${i}: Mein Zählerstand ist 12.345,6 kWh, bitte passen Sie den Abschlag an.</p>`;
  const text = Array.from({ length: 600 }, (_, i) => part(i)).join('\n');
  return `<div>${text}<p>Mit freundlichen Grüßen<br>Max</p></div><blockquote><p>Alte Nachricht</p></blockquote>`;
}

it('large bodies are derived on the worker thread with the same result as inline', async () => {
  const html = bigHtml();
  assert.ok(html.length > LARGE_BODY_CHARS);
  const before = offloadedBodies();
  const [a, b] = await Promise.all([deriveBodies(html), deriveBodies(html, 'given plain', null)]);
  assert.equal(offloadedBodies(), before + 2);
  assert.deepEqual(a, { bodyPlain: htmlToPlain(html), bodyClean: cleanText(html) });
  assert.equal(b.bodyPlain, 'given plain', 'a body the client sent is kept');
  assert.equal(b.bodyClean, cleanText(html));
  assert.doesNotMatch(a.bodyClean, /Alte Nachricht|Mit freundlichen/);
  const small = await deriveBodies('<p>Hallo</p>');
  assert.equal(offloadedBodies(), before + 2, 'small bodies stay inline');
  assert.equal(small.bodyPlain, 'Hallo');
});

it('with BODY_THREADS > 0 an ordinary email is derived on a thread; with 0 on the event loop', async () => {
  const html = `<div><p>Guten Tag,</p><p>mein Zählerstand vom 1. März ist 12.345 kWh (Zählernummer 1ESY1160123456).</p>
    <p>Mit freundlichen Grüßen<br>Erika Musterfrau</p></div><blockquote><p>Am 28.02. schrieb Service: Bitte senden Sie uns Ihren Zählerstand.</p></blockquote>`;
  assert.ok(html.length >= OFFLOAD_MIN_CHARS && html.length < LARGE_BODY_CHARS);
  const expected = { bodyPlain: htmlToPlain(html), bodyClean: cleanText(html) };
  try {
    configureBodyThreads(2);
    let before = offloadedBodies();
    const results = await Promise.all(Array.from({ length: 6 }, () => deriveBodies(html)));
    assert.equal(offloadedBodies(), before + 6);
    for (const r of results) assert.deepEqual(r, expected);
    assert.match(expected.bodyClean, /Zählerstand/);
    assert.doesNotMatch(expected.bodyClean, /Bitte senden Sie/);

    configureBodyThreads(0);
    before = offloadedBodies();
    assert.deepEqual(await deriveBodies(html), expected);
    assert.equal(offloadedBodies(), before, 'inline');
    assert.deepEqual(await deriveBodies(html, 'p', 'c'), { bodyPlain: 'p', bodyClean: 'c' }, 'given bodies are kept');
  } finally {
    configureBodyThreads(-1);
  }
});

describeEachDb('store with a large HTML body', (app) => {
  it('derives bodyPlain and bodyClean off the event loop and stores them', async () => {
    const t = app();
    const ticketId = await createTicket(t);
    const html = bigHtml();
    const before = offloadedBodies();
    const res = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'false', body: html });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(offloadedBodies(), before + 1);
    const conv = res.json().conversation;
    assert.equal(conv.bodyPlain, htmlToPlain(html));
    assert.equal(conv.bodyClean, cleanText(html));
    const read = await t.call('GET', `/api/mind/ticket/${ticketId}/conversation/${conv.id}`);
    assert.equal(read.json().conversation.bodyClean, conv.bodyClean);
  });
});

describeEachDb('message body length limit (MESSAGE_BODY_MAX_CHARS)', (app) => {
  for (const field of ['body', 'bodyPlain', 'bodyClean'] as const) {
    it(`a ${field} over the limit → 413 naming it, nothing stored; at the limit it is stored`, async () => {
      const t = app();
      const ticketId = await createTicket(t);
      const count = async () => Number((await t.ctx.db.kysely.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const before = await count();
      const over = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'false', body: 'x', [field]: 'y'.repeat(5001) });
      assert.equal(over.statusCode, 413, over.body);
      assert.equal(over.json().error.code, 'payload_too_large');
      assert.equal(over.json().error.field, field);
      assert.equal(await count(), before);
      const at = await t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'false', body: 'x', [field]: 'y'.repeat(5000) });
      assert.equal(at.statusCode, 200, at.body);
    });
  }

  it('ticket create checks the same limit', async () => {
    const t = app();
    const res = await t.call('POST', '/api/mind/ticket?process=false', { channel: 'email', from: 'kunde@example.de', subject: 'Frage', body: 'z'.repeat(5001) });
    assert.equal(res.statusCode, 413, res.body);
    assert.equal(res.json().error.field, 'body');
  });
}, { MESSAGE_BODY_MAX_CHARS: '5000' });
