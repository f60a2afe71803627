import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractParameters, isValidIban, normalizeIban, parseLocaleNumber } from '../../src/ai/extract/index.js';
import { findDates } from '../../src/ai/extract/dates.js';
import { findIbans } from '../../src/ai/extract/iban.js';

const ref = new Date(Date.UTC(2025, 0, 15));
const extract = (text: string, lang?: 'de' | 'en') => extractParameters(text, lang, { referenceDate: ref });

describe('IBAN', () => {
  it('accepts valid checksums and refuses invalid ones', () => {
    assert.equal(isValidIban('DE89 3704 0044 0532 0130 00'), true);
    assert.equal(isValidIban('GB29NWBK60161331926819'), true);
    assert.equal(isValidIban('AT611904300234573201'), true);
    assert.equal(isValidIban('DE89 3704 0044 0532 0130 01'), false); // one digit off
    assert.equal(isValidIban('DE89 3704 0044 0532 0130'), false); // too short for DE
    assert.equal(isValidIban('XX89370400440532013000'), false); // no such country
    assert.equal(normalizeIban('de89 3704 0044 0532 0130 00'), 'DE89370400440532013000');
  });

  it('finds IBANs written in groups or in one piece, never an invalid one', () => {
    assert.equal(extract('Neue IBAN: DE89 3704 0044 0532 0130 00 bitte ab März').iban, 'DE89370400440532013000');
    assert.equal(extract('iban de89370400440532013000').iban, 'DE89370400440532013000');
    assert.equal(extract('IBAN DE89 3704 0044 0532 0130 01').iban, undefined);
    assert.deepEqual(findIbans('at 12 2345 6789 1234 5678'), []);
  });

  it('prefers the new IBAN when old and new are given', () => {
    assert.equal(extract('alte IBAN DE89370400440532013000, neue IBAN DE02120300000000202051').iban, 'DE02120300000000202051');
    assert.equal(extract('new account GB29NWBK60161331926819 (old one was DE89370400440532013000)').iban, 'GB29NWBK60161331926819');
  });
});

describe('numbers and meter values', () => {
  it('parses German, English and plain formats', () => {
    assert.equal(parseLocaleNumber('12.345,6'), 12345.6);
    assert.equal(parseLocaleNumber('12,345.6'), 12345.6);
    assert.equal(parseLocaleNumber('12345'), 12345);
    assert.equal(parseLocaleNumber('45 678'), 45678);
    assert.equal(parseLocaleNumber('8765,4'), 8765.4);
    assert.equal(parseLocaleNumber('1.234.567'), 1234567);
    assert.equal(parseLocaleNumber('12.345', 'de'), 12345);
    assert.equal(parseLocaleNumber('12.345', 'en'), 12.345);
    assert.equal(parseLocaleNumber('12,345', 'de'), 12.345);
    assert.equal(parseLocaleNumber('4567,123'), 4567.123);
    assert.equal(parseLocaleNumber('1.2.3,4,5'), null);
  });

  it('reads the meter value by its cue or unit', () => {
    assert.equal(extract('Mein Zählerstand ist 12.345,6 kWh', 'de').meterValue, 12345.6);
    assert.equal(extract('My meter reading is 12,345.6 kWh', 'en').meterValue, 12345.6);
    assert.equal(extract('Zählerstand: 12345').meterValue, 12345);
    assert.equal(extract('Gaszähler 4.567,891 m³').meterValue, 4567.891);
    assert.equal(extract('meter shows 00784 m3').meterValue, 784);
    assert.equal(extract('Stand heute 23456kWh').meterValue, 23456);
    assert.equal(extract('Mein Zähler steht auf 7.301', 'de').meterValue, 7301);
    assert.equal(extract('Strom HT 12345, NT 6789 – abgelesen heute').meterValue, 12345);
    assert.equal(extract('Der Zählerstand lautet 0 4 5 6 7').meterValue, 4567); // drum digits
  });

  it('does not mistake dates, IBANs, meter numbers, postcodes, phones or amounts for the reading', () => {
    const text = 'Zählerstand vom 31.12.2024: 45.678 kWh. Zählernummer 1ESY1160123456, Kundennummer 100234567, ' +
      'Musterweg 3, 12345 Berlin, Tel. 030 1234567, Abschlag 85 €, IBAN DE89 3704 0044 0532 0130 00';
    const p = extract(text, 'de');
    assert.equal(p.meterValue, 45678);
    assert.equal(p.meterNumber, '1ESY1160123456');
    assert.equal(p.customerNumber, '100234567');
    assert.equal(p.iban, 'DE89370400440532013000');
    assert.equal(extract('Ich ziehe am 01.05.2025 nach 12345 Berlin', 'de').meterValue, undefined);
    assert.equal(extract('Bitte Abschlag auf 120 Euro ändern', 'de').meterValue, undefined);
    assert.equal(extract('Meine Zählernummer ist 12345678', 'de').meterValue, undefined);
    assert.equal(extract('Kann ich von Strom Basis auf Strom Fix 24 wechseln?', 'de').meterValue, undefined);
  });
});

describe('identifiers', () => {
  it('finds meter, contract and customer numbers by their labels', () => {
    assert.equal(extract('Zähler-Nr.: 12345678, Stand 4711').meterNumber, '12345678');
    assert.equal(extract('meter number 1APA0123456789').meterNumber, '1APA0123456789');
    assert.equal(extract('Stromzähler 1ESY1160123456 zeigt 1234').meterNumber, '1ESY1160123456');
    assert.equal(extract('Vertragsnummer: 4711-0815').contractNumber, '4711-0815');
    assert.equal(extract('Vertragskonto 400123456').contractNumber, '400123456');
    assert.equal(extract('contract account number 400123456').contractNumber, '400123456');
    assert.equal(extract('contract account number 400123456').customerNumber, undefined);
    assert.equal(extract('Kundennr. 20045678').customerNumber, '20045678');
    assert.equal(extract('customer number: 20045678').customerNumber, '20045678');
    assert.equal(extract('account no. 20045678').customerNumber, '20045678');
    assert.equal(extract('Meine Kundennummer weiß ich nicht').customerNumber, undefined);
  });
});

describe('dates', () => {
  it('reads German and English date formats to ISO', () => {
    const iso = (t: string, lang?: 'de' | 'en') => findDates(t, { referenceDate: ref, ...(lang ? { language: lang } : {}) }).map((d) => d.iso);
    assert.deepEqual(iso('am 1.5.2025'), ['2025-05-01']);
    assert.deepEqual(iso('ab 01.05.25'), ['2025-05-01']);
    assert.deepEqual(iso('zum 1. Mai 2025'), ['2025-05-01']);
    assert.deepEqual(iso('zum 3. März'), ['2025-03-03']);
    assert.deepEqual(iso('on May 1, 2025'), ['2025-05-01']);
    assert.deepEqual(iso('on the 1st of June 2025'), ['2025-06-01']);
    assert.deepEqual(iso('from 2025-05-01'), ['2025-05-01']);
    assert.deepEqual(iso('5/1/2025', 'en'), ['2025-05-01']);
    assert.deepEqual(iso('5/1/2025', 'de'), ['2025-01-05']);
    assert.deepEqual(iso('am 31.2.2025'), []); // no such day
    assert.deepEqual(iso('you may 1 day'), []); // "may" the verb
    assert.deepEqual(iso('Stand 12.345,6 kWh'), []);
  });

  it('infers the year of a date without one from the reference day', () => {
    assert.equal(extract('Ich ziehe am 1.5. um').moveDate, '2025-05-01');
    // 10 January reads as the past few days, 1 October of last year as next year
    assert.equal(extract('Auszug war am 10.1.').moveDate, '2025-01-10');
    assert.equal(extract('Umzug am 1.10.').moveDate, '2025-10-01');
  });

  it('attaches dates to move or termination by their cue words', () => {
    assert.deepEqual(extract('Ich ziehe am 1.5.2025 um und kündige meinen Gasvertrag zum 30.04.2025.'), { moveDate: '2025-05-01', terminationDate: '2025-04-30' });
    assert.equal(extract('Einzug in die neue Wohnung: 01.06.2025').moveDate, '2025-06-01');
    assert.equal(extract('Hiermit kündige ich zum 31.12.2025').terminationDate, '2025-12-31');
    assert.equal(extract('I am moving out on May 1, 2025').moveDate, '2025-05-01');
    assert.equal(extract('Please cancel my contract effective June 30, 2025').terminationDate, '2025-06-30');
    assert.deepEqual(extract('Umzug zum 01.04., Kündigung der alten Wohnung zum 31.03.'), { moveDate: '2025-04-01', terminationDate: '2025-03-31' });
    assert.equal(extract('Kündigung zum 31.03.2025, Vertragsnummer 123456789').terminationDate, '2025-03-31');
    assert.deepEqual(extract('Die Rechnung vom 12.03.2025 ist falsch'), {});
  });
});
