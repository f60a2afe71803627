// Worker-thread entry: trains one intent model and posts its serialised form back.
// Kept tiny so that loading it costs little beyond the classifier itself. With `encode`, the
// English examples get their sentence vectors here first (sentenceEncoder.ts): embedding a
// large catalogue costs minutes of CPU, which must not run on the HTTP event loop either.

import { parentPort, workerData } from 'node:worker_threads';
import { trainIntentModel, type TrainingExample, type TrainOptions } from './classifier.js';
import { looksEnglish } from './features.js';
import { loadSentenceEncoder } from './sentenceEncoder.js';

export interface TrainJob {
  examples: TrainingExample[];
  options: TrainOptions;
  /** embed English examples with the sentence encoder when it is installed */
  encode: boolean;
}

export type TrainResult = { ok: true; model: unknown; ms: number; encoder: 'used' | 'unavailable' | 'off' } | { ok: false; error: string };

const job = workerData as TrainJob;
try {
  const started = performance.now();
  let encoder: 'used' | 'unavailable' | 'off' = 'off';
  let examples = job.examples;
  if (job.encode) {
    const enc = await loadSentenceEncoder();
    encoder = enc ? 'used' : 'unavailable';
    if (enc) {
      const english = examples.filter((e) => looksEnglish(e.text)).map((e) => e.text);
      const unique = [...new Set(english)];
      const vectors = new Map((await enc.embed(unique)).map((v, i) => [unique[i]!, v]));
      examples = examples.map((e) => ({ ...e, embedding: vectors.get(e.text) ?? null }));
    }
  }
  const model = trainIntentModel(examples, job.options);
  parentPort?.postMessage({ ok: true, model: model.toJSON(), ms: performance.now() - started, encoder } satisfies TrainResult);
} catch (err) {
  parentPort?.postMessage({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies TrainResult);
}
