import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TfidfVectorizer, normalizeText, extractTerms, defaultFeatureOptions } from '../../src/ai/intents/features.js';
import { decisionScores, fitPlatt, plattProbability, trainOneVsRest } from '../../src/ai/intents/linearModel.js';

describe('features', () => {
  it('folds umlauts, case and digits so spellings meet', () => {
    assert.equal(normalizeText('Zählerstand ÄÖÜ ß 2025'), 'zaehlerstand aeoeue ss 0000');
    assert.equal(normalizeText('Zaehlerstand'), normalizeText('Zählerstand'));
    assert.equal(normalizeText('mail me at a.b@example.com or https://x.y/z'), 'mail me at  emailx  or  urlx ');
  });

  it('makes word 1–2-grams, stems and char 2–5-grams', () => {
    const terms = extractTerms('neue Bankverbindung', defaultFeatureOptions);
    for (const t of ['wneue', 'wbankverbindung', 'wneue bankverbindung', 'c n', 'cbank', 'cung ', 'c ne']) assert.ok(terms.has(t), t);
    assert.ok(![...terms.keys()].some((t) => t.startsWith('c') && t.length > 6));
  });

  it('gives L2-normalised sparse vectors with ascending ids, dropping unknown terms', () => {
    // without the word-vector block, which is appended at its own scale (test/ai/embeddings.test.ts)
    const { vectorizer, vectors } = TfidfVectorizer.fit(['meter reading please', 'cancel my contract', 'new bank account'], { embeddingWeight: 0 });
    for (const v of [...vectors, vectorizer.transform('meter reading and something unseen')]) {
      const norm = Math.sqrt(v.val.reduce((s, x) => s + x * x, 0));
      assert.ok(Math.abs(norm - 1) < 1e-5);
      for (let i = 1; i < v.idx.length; i++) assert.ok((v.idx[i] ?? 0) > (v.idx[i - 1] ?? 0));
    }
    assert.equal(vectorizer.transform('zzzz').idx.length, 0);
    const copy = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(vectorizer.toJSON())));
    assert.deepEqual(copy.transform('cancel the meter'), vectorizer.transform('cancel the meter'));
  });

  it('transform gives exactly the training vector of a text, also from remembered tokens', () => {
    const texts = [
      'Mein Zählerstand ist 12345 kWh, Zählernummer 1ESY116.',
      'Ich möchte meinen Vertrag kündigen, der Vertrag läuft bis März.',
      'Please change my bank details, my new IBAN is DE02 1203 0000 0000 2020 51.',
      'zählerstand zählerstand zählerstand: 4711',
    ];
    const { vectorizer, vectors } = TfidfVectorizer.fit(texts, { embeddingWeight: 0 });
    for (let round = 0; round < 2; round++) {
      texts.forEach((text, i) => assert.deepEqual(vectorizer.transform(text), vectors[i], `text ${i}, round ${round}`));
    }
  });
});

describe('one-vs-rest SVM', () => {
  it('separates three classes of texts', () => {
    const texts = ['red apple', 'red cherry', 'red tomato', 'blue sky', 'blue sea', 'blue ocean', 'green grass', 'green leaf', 'green frog'];
    const y = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    const { vectorizer, vectors } = TfidfVectorizer.fit(texts);
    const model = trainOneVsRest(vectors, y, 3, vectorizer.dimension);
    const argmax = (t: string): number => {
      const s = decisionScores(model, vectorizer.transform(t));
      return s.indexOf(Math.max(...s));
    };
    assert.equal(argmax('a red car'), 0);
    assert.equal(argmax('the blue whale'), 1);
    assert.equal(argmax('green tea'), 2);
    vectors.forEach((v, i) => {
      const s = decisionScores(model, v);
      assert.equal(s.indexOf(Math.max(...s)), y[i]);
    });
  });

  it('fits a rising Platt sigmoid mapping into 0..1', () => {
    const scores = [-2, -1.5, -1.2, -1, -0.8, -0.2, 0.1, 0.5, 0.9, 1.3, 1.8, 2.2];
    const positive = scores.map((s) => s > 0);
    positive[5] = true; // some overlap, as held-out scores have
    positive[6] = false;
    const p = fitPlatt(scores, positive);
    const probs = [-3, -1, 0, 1, 3].map((s) => plattProbability(p, s));
    for (let i = 1; i < probs.length; i++) assert.ok((probs[i] ?? 0) > (probs[i - 1] ?? 0));
    assert.ok((probs[0] ?? 1) < 0.1 && (probs[4] ?? 0) > 0.9);
    assert.ok(probs.every((x) => x >= 0 && x <= 1));
  });
});
