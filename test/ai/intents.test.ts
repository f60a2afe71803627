import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { detectIntents, loadIntentModel, trainIntentModel, type IntentModel } from '../../src/ai/intents/classifier.js';
import { catalogueExamples, type CatalogueEntry } from '../../src/ai/intents/catalogue.js';
import { splitClauses } from '../../src/ai/intents/clauses.js';

const catalogue = JSON.parse(readFileSync(new URL('../../data/ai-agents.json', import.meta.url), 'utf8')) as (CatalogueEntry & { id: number })[];
const codes = (model: IntentModel, text: string): string[] => detectIntents(model, text).map((p) => p.code).sort();

describe('seeded catalogue', () => {
  it('holds the eight public codes with ids 1..8 and 30+ examples per language', () => {
    assert.deepEqual(catalogue.map((c) => [c.id, c.code]), [
      [1, 'ai_agent_meter_reading'], [2, 'ai_agent_contract_termination'], [3, 'ai_agent_move'], [4, 'ai_agent_installment_change'],
      [5, 'ai_agent_bank_details_change'], [6, 'ai_agent_invoice_question'], [7, 'ai_agent_tariff_change'], [8, 'ai_agent_password_reset'],
    ]);
    for (const c of catalogue) {
      assert.ok((c.examples?.de?.length ?? 0) >= 30, `${c.code} de`);
      assert.ok((c.examples?.en?.length ?? 0) >= 30, `${c.code} en`);
    }
  });
});

describe('intent detection on the seeded catalogue', () => {
  let model: IntentModel;
  before(() => {
    model = trainIntentModel(catalogueExamples(catalogue));
  });

  // None of these texts is in data/ai-agents.json or eval/data/labelled.json.
  const german: [string, string][] = [
    ['Mein Gaszähler zeigt heute 7.812,4 m³, bitte eintragen.', 'ai_agent_meter_reading'],
    ['Hiermit kündige ich fristgerecht meinen Stromliefervertrag.', 'ai_agent_contract_termination'],
    ['Wir ziehen nächsten Monat nach Bremen, wie nehme ich den Vertrag mit?', 'ai_agent_move'],
    ['Bitte setzen Sie meine monatliche Abschlagszahlung auf 55 Euro herab.', 'ai_agent_installment_change'],
    ['Bitte künftig von meinem neuen Konto abbuchen, die IBAN steht unten.', 'ai_agent_bank_details_change'],
    ['Die Jahresabrechnung kommt mir viel zu hoch vor, können Sie das prüfen?', 'ai_agent_invoice_question'],
    ['Habt ihr auch einen günstigen Ökostromtarif für kleine Haushalte?', 'ai_agent_tariff_change'],
    ['Ich komme nicht ins Onlineportal, das Kennwort ist weg.', 'ai_agent_password_reset'],
  ];
  const english: [string, string][] = [
    ['My gas meter shows 7,812.4 m³ today, please record it.', 'ai_agent_meter_reading'],
    ['I hereby give notice on my electricity supply agreement.', 'ai_agent_contract_termination'],
    ['We are relocating to Bremen next month, how do I take the contract along?', 'ai_agent_move'],
    ['Please bring my monthly installment down to 55 euros.', 'ai_agent_installment_change'],
    ['Please take future payments from my new bank account, IBAN below.', 'ai_agent_bank_details_change'],
    ['The annual statement looks far too high to me, can you check it?', 'ai_agent_invoice_question'],
    ['Do you have a cheap green energy plan for small households?', 'ai_agent_tariff_change'],
    ['I cannot get into the online portal, I lost my password.', 'ai_agent_password_reset'],
  ];

  for (const [text, code] of [...german, ...english]) {
    it(`finds ${code} in "${text.slice(0, 40)}…"`, () => {
      assert.deepEqual(codes(model, text), [code]);
    });
  }

  it('finds no intent in small talk', () => {
    for (const text of ['Hallo, schönes Wetter heute', 'thanks', 'Danke und schönes Wochenende!', 'Good morning, how are you?', 'Viele Grüße, Jana']) {
      assert.deepEqual(detectIntents(model, text), [], text);
    }
  });

  it('finds both concerns of a two-concern message', () => {
    assert.deepEqual(codes(model, 'Ich ziehe am 1.5. um und möchte außerdem meine Bankverbindung ändern'), ['ai_agent_bank_details_change', 'ai_agent_move']);
    assert.deepEqual(codes(model, 'I forgot my password. Also, my meter reading is 4521 kWh.'), ['ai_agent_meter_reading', 'ai_agent_password_reset']);
  });

  it('predicts every label, best first, with confidences in 0..1', () => {
    const preds = model.predict('Zählerstand 12345');
    assert.equal(preds.length, 8);
    assert.equal(preds[0]?.code, 'ai_agent_meter_reading');
    for (let i = 1; i < preds.length; i++) assert.ok((preds[i - 1]?.confidence ?? 0) >= (preds[i]?.confidence ?? 0));
    for (const p of preds) assert.ok(p.confidence >= 0 && p.confidence <= 1);
    assert.equal(model.exampleCount, catalogueExamples(catalogue).length);
  });

  it('respects threshold and maxIntents', () => {
    const text = 'Ich ziehe am 1.5. um und möchte außerdem meine Bankverbindung ändern';
    assert.equal(detectIntents(model, text, { maxIntents: 1 }).length, 1);
    assert.deepEqual(detectIntents(model, text, { threshold: 1.01, clauseThreshold: 1.01 }), []);
  });

  it('survives a JSON round trip with identical predictions', () => {
    const copy = loadIntentModel(JSON.parse(JSON.stringify(model.toJSON())));
    assert.deepEqual(copy.labels, model.labels);
    for (const text of ['Passwort vergessen', 'new IBAN DE89370400440532013000', 'Hallo']) {
      assert.deepEqual(copy.predict(text), model.predict(text));
    }
    assert.throws(() => loadIntentModel({ format: 'something else' }), /format/);
  });
});

describe('small catalogues', () => {
  it('trains on one intent and still tells it from small talk', () => {
    const model = trainIntentModel(catalogueExamples(catalogue.filter((c) => c.code === 'ai_agent_password_reset')));
    assert.deepEqual(model.labels, ['ai_agent_password_reset']);
    assert.deepEqual(codes(model, 'Ich habe mein Passwort vergessen und komme nicht ins Portal'), ['ai_agent_password_reset']);
    assert.deepEqual(detectIntents(model, 'Danke, schönen Tag noch'), []);
  });

  it('gives an empty model for an empty catalogue', () => {
    const model = trainIntentModel([]);
    assert.deepEqual(model.labels, []);
    assert.deepEqual(model.predict('hallo'), []);
    assert.deepEqual(detectIntents(model, 'hallo'), []);
  });
});

describe('splitClauses', () => {
  it('splits at sentence ends and connectors but not inside dates', () => {
    assert.deepEqual(splitClauses('Ich ziehe am 1.5. um und möchte außerdem meine Bankverbindung ändern'), ['Ich ziehe am 1.5. um und möchte', 'meine Bankverbindung ändern']);
    assert.deepEqual(splitClauses('Zählerstand 123. Also, I forgot my password!'), ['Zählerstand 123', 'I forgot my password']);
  });
});
