// Settings search for the intent classifier, on tuning splits only — never on a test set:
// BANKING77: 10-shot samples drawn from train (seeds other than the fixed sample) scored on the
// rest of train, and an 80/20 split of train for the full setting; MASSIVE de-DE: its dev split.
// Usage: tsx eval/tune.ts '{"svm":{"C":1}}' '{"features":{"charWeight":1.5}}' ...
// A config with a "sentence" key (e.g. '{"sentence":{"mode":"late","weight":1}}') gives English
// texts their sentence vectors (eval/sentenceVectors.ts; the encoder must be installed).

import { makeRng } from '../src/ai/intents/linearModel.js';
import { trainIntentModel, type TrainingExample, type TrainOptions } from '../src/ai/intents/classifier.js';
import { looksEnglish } from '../src/ai/intents/features.js';
import { loadBanking77, loadMassiveDe } from './datasets.js';
import { sentenceVectors } from './sentenceVectors.js';

let vectors: Map<string, Float32Array> | null = null;

/** The rows with their sentence vectors (English texts only) when the config asks for them. */
function withVectors(rows: readonly TrainingExample[], opts: TrainOptions): TrainingExample[] {
  if (!opts.sentence || !vectors) return [...rows];
  return rows.map((r) => ({ ...r, embedding: looksEnglish(r.text) ? vectors!.get(r.text) ?? null : null }));
}

function sampleKShot(rows: readonly TrainingExample[], k: number, seed: number): { train: TrainingExample[]; rest: TrainingExample[] } {
  const rng = makeRng(seed);
  const byLabel = new Map<string, number[]>();
  rows.forEach((r, i) => byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), i]));
  const picked = new Set<number>();
  for (const idxs of [...byLabel.keys()].sort().map((l) => byLabel.get(l) ?? [])) {
    for (let i = idxs.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [idxs[i], idxs[j]] = [idxs[j] ?? 0, idxs[i] ?? 0];
    }
    idxs.slice(0, k).forEach((i) => picked.add(i));
  }
  return { train: rows.filter((_, i) => picked.has(i)), rest: rows.filter((_, i) => !picked.has(i)) };
}

function accuracy(train: TrainingExample[], test: TrainingExample[], opts: TrainOptions): { acc: number; trainS: number } {
  const t0 = performance.now();
  const model = trainIntentModel(withVectors(train, opts), { ...opts, calibrationFolds: 0 });
  const trainS = (performance.now() - t0) / 1000;
  let hit = 0;
  for (const ex of withVectors(test, opts)) {
    const s = model.scores(ex.text, ex.embedding);
    let best = 0;
    for (let c = 1; c < s.length; c++) if ((s[c] ?? 0) > (s[best] ?? 0)) best = c;
    if (model.labels[best] === ex.label) hit++;
  }
  return { acc: hit / test.length, trainS };
}

function splitTrain(rows: readonly TrainingExample[], seed: number): { train: TrainingExample[]; rest: TrainingExample[] } {
  const rng = makeRng(seed);
  const train: TrainingExample[] = [];
  const rest: TrainingExample[] = [];
  for (const r of rows) (rng() < 0.8 ? train : rest).push(r);
  return { train, rest };
}

const configs: TrainOptions[] = process.argv.slice(2).map((a) => JSON.parse(a) as TrainOptions);
if (configs.length === 0) configs.push({});
const only = process.env.TUNE_ONLY ?? 'b10,bfull,m10,mfull';
const b = loadBanking77();
const m = loadMassiveDe();
if (configs.some((c) => c.sentence)) {
  const texts = [...(b.ok ? b.benchmark.train : []), ...(m.ok ? [...m.benchmark.train, ...(m.benchmark.dev ?? [])] : [])].map((r) => r.text).filter((t) => looksEnglish(t));
  vectors = await sentenceVectors(texts, 'tuning texts');
}
for (const cfg of configs) {
  const out: string[] = [];
  if (b.ok && only.includes('b10')) {
    const accs = [1, 2, 3].map((seed) => {
      const { train, rest } = sampleKShot(b.benchmark.train, 10, seed);
      return accuracy(train, rest.filter((_, i) => i % 3 === 0), cfg).acc;
    });
    out.push(`b77-10shot ${(accs.reduce((x, y) => x + y) / accs.length).toFixed(4)}`);
  }
  if (b.ok && only.includes('bfull')) {
    const { train, rest } = splitTrain(b.benchmark.train, 5);
    const r = accuracy(train, rest, cfg);
    out.push(`b77-80/20 ${r.acc.toFixed(4)} (${r.trainS.toFixed(1)}s)`);
  }
  if (m.ok && only.includes('m10')) {
    const dev = m.benchmark.dev ?? [];
    const accs = [m.benchmark.tenShot, ...[1, 2].map((s) => sampleKShot(m.benchmark.train, 10, s).train)].map((t) => accuracy(t, dev, cfg).acc);
    out.push(`massive-10shot/dev ${(accs.reduce((x, y) => x + y) / accs.length).toFixed(4)}`);
  }
  if (m.ok && only.includes('mfull')) {
    const r = accuracy(m.benchmark.train, m.benchmark.dev ?? [], cfg);
    out.push(`massive-full/dev ${r.acc.toFixed(4)} (${r.trainS.toFixed(1)}s)`);
  }
  console.log(JSON.stringify(cfg), '|', out.join(' | '));
}
