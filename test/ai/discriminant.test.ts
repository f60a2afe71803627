// The shrinkage discriminant over sentence vectors (src/ai/intents/discriminant.ts) and how it joins
// the fused model. Synthetic unit vectors stand in for the encoder's (the encoder itself is tested
// in sentenceEncoder.test.ts): each intent is a direction plus noise, with one nuisance direction
// that varies a lot within every intent and says nothing about which one it is.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trainDiscriminant } from '../../src/ai/intents/discriminant.js';
import { decisionScores, makeRng } from '../../src/ai/intents/linearModel.js';
import { denseVector, discriminantOptions } from '../../src/ai/intents/sentenceHead.js';
import { loadIntentModel, trainIntentModel, type TrainingExample } from '../../src/ai/intents/classifier.js';

const D = 512;
const rng = makeRng(42);
const gauss = (): number => Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng());

function unit(v: Float32Array): Float32Array {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / n);
}

/** A vector of intent `c`: its direction, a large nuisance component on axis 0, small noise. */
function sample(c: number): Float32Array {
  const v = new Float32Array(D);
  for (let k = 0; k < D; k++) v[k] = 0.03 * gauss();
  v[1 + c] = (v[1 + c] ?? 0) + 0.25;
  v[0] = 1.5 * gauss();
  return unit(v);
}

const argmax = (s: ArrayLike<number>): number => {
  let best = 0;
  for (let c = 1; c < s.length; c++) if ((s[c] ?? 0) > (s[best] ?? 0)) best = c;
  return best;
};

describe('shrinkage discriminant over sentence vectors', () => {
  const classes = 4;
  const train = Array.from({ length: classes * 10 }, (_, i) => ({ v: sample(i % classes), y: i % classes }));

  it('tells intents apart through a direction that varies within every intent', () => {
    const d = trainDiscriminant(train.map((t) => t.v), Int32Array.from(train, (t) => t.y), classes, 0.3);
    assert.ok(d);
    let hits = 0;
    for (let i = 0; i < 200; i++) if (argmax(decisionScores(d, denseVector(sample(i % classes)))) === i % classes) hits++;
    assert.ok(hits >= 190, `${hits}/200`);
  });

  it('an intent without any vector never wins on this part; too few vectors give none', () => {
    // class 3 has no vectors (its examples were German, say)
    const some = train.filter((t) => t.y !== 3);
    const d = trainDiscriminant(some.map((t) => t.v), Int32Array.from(some, (t) => t.y), classes, 0.3);
    assert.ok(d);
    for (let i = 0; i < 20; i++) {
      const s = decisionScores(d, denseVector(sample(i % 3)));
      assert.ok((s[3] ?? 0) < Math.max(s[0] ?? 0, s[1] ?? 0, s[2] ?? 0));
    }
    assert.equal(trainDiscriminant([train[0]!.v, null], Int32Array.from([0, 1]), 2, 0.3), null);
  });

  it('joins the fused model when asked (off by default), which keeps it through JSON', () => {
    const labels = ['ai_agent_a', 'ai_agent_b', 'ai_agent_c', 'ai_agent_d'];
    const words = ['invoice total wrong', 'password reset login', 'move new address', 'cancel contract end'];
    const examples: TrainingExample[] = train.map((t, i) => ({ text: `${words[t.y]} please ${i}`, label: labels[t.y]!, embedding: t.v }));
    const fused = trainIntentModel(examples, { calibrationFolds: 0, sentence: discriminantOptions });
    assert.equal(fused.sentence?.discriminantWeight, 0.5);
    const probe = sample(2);
    const loaded = loadIntentModel(JSON.parse(JSON.stringify(fused.toJSON())));
    assert.deepEqual(Array.from(loaded.scores('move please', probe)), Array.from(fused.scores('move please', probe)));
    const without = trainIntentModel(examples, { calibrationFolds: 0, sentence: { ...discriminantOptions, discriminantWeight: 0 } });
    assert.notDeepEqual(Array.from(without.scores('move please', probe)), Array.from(fused.scores('move please', probe)));
    assert.equal((trainIntentModel(examples, { calibrationFolds: 0 }).toJSON() as { discriminant?: unknown }).discriminant, undefined);
    assert.equal((without.toJSON() as { discriminant?: unknown }).discriminant, undefined);
  });
});
