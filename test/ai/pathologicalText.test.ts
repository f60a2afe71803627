// Customer text built to hit the worst case of each text step, at twice the size that was
// measured to stall the service (issue 11 item 2). Each must complete and still do its work;
// nothing here measures time: a super-linear step would hold these tests for minutes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aiText } from '../../src/ai/aiText.js';
import { classifyDates, findDates } from '../../src/ai/extract/dates.js';
import { extractParameters } from '../../src/ai/extract/index.js';
import { findIdentifiers, otherReferenceSpans } from '../../src/ai/extract/identifiers.js';
import { findMeterValue, findNumbers } from '../../src/ai/extract/numbers.js';
import { findIbans } from '../../src/ai/extract/iban.js';
import { splitClauses } from '../../src/ai/intents/clauses.js';
import { normalizeText } from '../../src/ai/intents/features.js';
import { detectLanguage } from '../../src/ai/language.js';
import { createTicket, databases, startApp, type TestApp } from '../helpers/app.js';

const REF = new Date(Date.UTC(2025, 0, 10));
/** 28 KB: twice the 14 KB mail that blocked the event loop 20 s (cubic in the length) */
const MOVE_REPEATED = 'Umzug am 1.5.2025 kündigung '.repeat(1000);

describe('pathological customer text, at twice the measured size', () => {
  it('dates: a mail repeating "Umzug am 1.5.2025 kündigung " (28 KB) is read, dates and cues found', () => {
    const dates = findDates(MOVE_REPEATED, { language: 'de', referenceDate: REF });
    assert.equal(dates.length, 1000);
    // Each date is nearer the "kündigung" right after it than the "Umzug" before it.
    assert.deepEqual(classifyDates(MOVE_REPEATED, dates), { terminationDate: '2025-05-01' });
    assert.equal(extractParameters(MOVE_REPEATED, 'de', { referenceDate: REF }).terminationDate, '2025-05-01');
  });

  it('dates: long runs of spaces between day, month and year', () => {
    const text = `1. Mai${' '.repeat(80_000)}x 1${' '.repeat(80_000)}Mai May${' '.repeat(80_000)}1`;
    assert.deepEqual(findDates(text, { referenceDate: REF }).map((d) => d.iso), ['2025-05-01'], 'only the first, whose gap is short');
  });

  it('identifiers: a label followed by 80k spaces (40k took 6 s)', () => {
    for (const label of ['Zählernummer', 'Zähler - Nr.', 'Kundennummer: ist', 'Vertragsnummer', 'contract account number', 'Rechnungsnr.']) {
      const text = `${label}${' '.repeat(80_000)}`;
      assert.deepEqual(findIdentifiers(text), {}, label);
      assert.deepEqual(otherReferenceSpans(text), [], label);
    }
    // The separator rules still read what they read before.
    assert.equal(findIdentifiers('Zähler - Nr. :  ist 1ESY1160123456').meterNumber?.value, '1ESY1160123456');
    assert.equal(findIdentifiers('Kundennummer lautet 12345678').customerNumber?.value, '12345678');
  });

  it('intent features: 120k word characters and a long address-like run (60k took 8 s)', () => {
    assert.equal(normalizeText('a'.repeat(120_000)).length, 120_000);
    assert.equal(normalizeText(`${'a.'.repeat(60_000)}x`).length, 120_001);
    assert.equal(normalizeText('mail an max.muster@example.de bitte'), 'mail an  emailx  bitte');
  });

  it('clauses, numbers, IBANs, language: long runs of what each scans for', () => {
    assert.deepEqual(splitClauses(`${'.'.repeat(120_000)}x`), []);
    assert.equal(splitClauses(`Hallo zusammen${' ,'.repeat(60_000)}`)[0], 'Hallo zusammen');
    assert.deepEqual(splitClauses('Ich ziehe um. Außerdem neue IBAN!'), ['Ich ziehe um', 'neue IBAN']);
    const digits = `${'1 '.repeat(60_000)}x`;
    assert.ok(findNumbers(digits).length >= 1);
    assert.equal(findMeterValue(`Zählerstand${' '.repeat(80_000)}12345 kWh`, 'de', []), 12345);
    assert.deepEqual(findIbans(`DE12${' 1'.repeat(60_000)}`), []);
    assert.equal(detectLanguage(`${'sch'.repeat(40_000)} und der`), 'de');
  });

  it('the AI text is capped in one place, never splitting a surrogate pair', () => {
    assert.equal(aiText(['Betreff', 'x'.repeat(50)], 20), `Betreff\n${'x'.repeat(12)}`);
    assert.equal(aiText([null, '😀😀'], 3), '😀');
    assert.equal(aiText([undefined, 'kurz'], 100), 'kurz');
  });
});

for (const kind of databases()) {
  describe(`pathological text over HTTP [${kind}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await startApp(kind);
    });
    after(async () => t.close());

    it('intent detection on the longest body the route takes answers, and so does a concurrent store', async () => {
      const ticketId = await createTicket(t);
      const [detect, store] = await Promise.all([
        t.call('POST', '/api/mind/intent/detect', { body: 'a'.repeat(100_000) }),
        t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'false', body: '<p>Guten Tag</p>' }),
      ]);
      assert.equal(detect.statusCode, 200, detect.body);
      assert.equal(store.statusCode, 200, store.body);
    });

    it('a realtime store of the 28 KB date mail runs its AI step on the capped text and answers', async () => {
      const ticketId = await createTicket(t);
      const [slow, normal] = await Promise.all([
        t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'realtime', type: 'text', body: MOVE_REPEATED.repeat(2) }),
        t.call('POST', `/api/mind/ticket/${ticketId}/conversation/store`, { process: 'false', body: '<p>Noch eine Frage</p>' }),
      ]);
      assert.equal(slow.statusCode, 200, slow.body);
      assert.equal(normal.statusCode, 200, normal.body);
      const conv = slow.json();
      const cortexId = conv.cortexRequestId ?? conv.conversation?.cortexRequestId;
      if (cortexId) {
        const run = (await t.call('GET', `/api/mind/cortex/${cortexId}`)).json();
        assert.equal(run.status ?? run.cortexRequest?.status, 'success', JSON.stringify(run).slice(0, 300));
      }
    });
  });
}
