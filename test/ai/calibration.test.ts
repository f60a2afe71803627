import { it } from 'node:test';
import assert from 'node:assert/strict';
import { applyIsotonic, chooseThreshold, expectedCalibrationError, fitIsotonic, MIN_HELD_OUT, type HeldOut } from '../../src/ai/intents/calibration.js';
import { trainIntentModel } from '../../src/ai/intents/classifier.js';

// 100 held-out texts: confidence i/100, right exactly when i ≥ 40, and also at 10, 20, 30.
const rows: HeldOut[] = Array.from({ length: 100 }, (_, i) => ({ p: i / 100, correct: i >= 40 || i % 10 === 0 }));

it('the threshold is the widest coverage at which held-out choices keep the target precision', () => {
  const c = chooseThreshold(rows, 0.95, 0.5);
  assert.equal(c.source, 'held-out');
  // At 0.40 and above all 60 are right; 0.37 adds three wrong (60/63 = 0.952), 0.36 a fourth (0.938).
  assert.equal(c.threshold, 0.37);
  assert.equal(c.precision, 60 / 63);
  assert.equal(c.coverage, 0.63);
  const looser = chooseThreshold(rows, 0.9, 0.5);
  assert.ok(looser.threshold < 0.37 && looser.precision! >= 0.9, JSON.stringify(looser));
  // Unreachable target: only the most confident are assigned.
  const never = chooseThreshold(rows.map((r) => ({ ...r, correct: false })), 0.95, 0.5);
  assert.equal(never.threshold, 0.99);
});

it('too little evidence keeps the default threshold and says so', () => {
  const c = chooseThreshold(rows.slice(0, MIN_HELD_OUT - 1), 0.95, 0.5);
  assert.deepEqual(c, { threshold: 0.5, precision: null, coverage: null, heldOut: MIN_HELD_OUT - 1, source: 'default' });
});

it('isotonic recalibration is monotone and brings confidences toward observed accuracy', () => {
  const skewed: HeldOut[] = Array.from({ length: 200 }, (_, i) => ({ p: 0.3 + (i % 50) / 100, correct: i % 4 !== 0 }));
  const iso = fitIsotonic(skewed)!;
  let last = -1;
  for (let p = 0; p <= 1; p += 0.01) {
    const v = applyIsotonic(iso, p);
    assert.ok(v >= last, 'non-decreasing');
    last = v;
  }
  const after = skewed.map((r) => ({ p: applyIsotonic(iso, r.p), correct: r.correct }));
  assert.ok(expectedCalibrationError(after) < expectedCalibrationError(skewed), 'ECE goes down');
  assert.equal(fitIsotonic(skewed.slice(0, 5)), null, 'not fitted on too few');
});

it('a trained model carries its thresholds and how they were chosen, and keeps them through JSON', async () => {
  const { loadIntentModel } = await import('../../src/ai/intents/classifier.js');
  const labels = ['meter', 'bank', 'move', 'invoice'];
  const words: Record<string, string[]> = {
    meter: ['Zählerstand', 'Zähler', 'kWh', 'Ablesung', 'Stand'], bank: ['IBAN', 'Bankverbindung', 'Konto', 'Lastschrift', 'Bank'],
    move: ['Umzug', 'umziehen', 'neue Adresse', 'Wohnung', 'ausziehen'], invoice: ['Rechnung', 'Abrechnung', 'Nachzahlung', 'Betrag', 'Jahresrechnung'],
  };
  const examples = labels.flatMap((label) => Array.from({ length: 12 }, (_, i) => ({ label, text: `Frage zu ${words[label]![i % 5]} Nummer ${i} bitte ${words[label]![(i + 2) % 5]}` })));
  const model = trainIntentModel(examples, { targetPrecision: 0.9 });
  assert.equal(model.calibration.source, 'held-out');
  assert.equal(model.calibration.heldOut, examples.length);
  assert.equal(model.calibration.targetPrecision, 0.9);
  assert.ok(model.detectDefaults.threshold >= 0.5, 'never below the floor');
  const again = loadIntentModel(JSON.parse(JSON.stringify(model.toJSON())));
  assert.deepEqual(again.detectDefaults, model.detectDefaults);
  assert.deepEqual(again.calibration, model.calibration);
});
