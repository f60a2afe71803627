// Retraining takes seconds of pure CPU; on the main thread it would stall every HTTP request for
// that long. A worker thread trains instead, and only the finished model crosses back.

import { Worker } from 'node:worker_threads';
import { loadIntentModel, type IntentModel, type TrainingExample, type TrainOptions } from './classifier.js';
import { preloadWordVectors } from './embeddings.js';
import { workerEntry } from '../../workers/workerEntry.js';
import type { TrainJob, TrainResult } from './trainWorker.js';

export interface WorkerTrainOptions extends TrainOptions {
  /** give up (and terminate the worker) after this long; default 5 minutes */
  timeoutMs?: number;
  /** embed English examples with the sentence encoder in the worker (default false) */
  sentenceEncoder?: boolean;
  /** called when the encoder was asked for but is not installed (the model is TF-IDF alone) */
  onEncoderUnavailable?: () => void;
}

export function trainIntentModelInWorker(examples: readonly TrainingExample[], opts: WorkerTrainOptions = {}): Promise<IntentModel> {
  // Embedding 10,000 texts takes minutes here: the encoder gets time of its own.
  const { timeoutMs = opts.sentenceEncoder ? 30 * 60_000 : 5 * 60_000, sentenceEncoder = false, onEncoderUnavailable, ...options } = opts;
  return new Promise<IntentModel>((resolve, reject) => {
    const job: TrainJob = { examples: examples.map((e) => ({ text: e.text, label: e.label })), options, encode: sentenceEncoder };
    const worker = new Worker(workerEntry(import.meta.url, 'trainWorker'), { eval: true, workerData: job });
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      finish(() => reject(new Error(`intent model training timed out after ${timeoutMs} ms`)));
      void worker.terminate();
    }, timeoutMs);
    // A pending training must not keep a shutting-down process alive.
    timer.unref();
    // Meanwhile this thread reads the word vectors in chunks (embeddings.ts), so building the
    // model from the worker's answer does not stall the event loop reading them (~0.6 s).
    const vectorsReady = options.features?.embeddingWeight === 0 ? Promise.resolve(null) : preloadWordVectors();
    worker.once('message', (msg: TrainResult) => {
      finish(() => {
        if (!msg.ok) return reject(new Error(`intent model training failed in worker: ${msg.error}`));
        if (msg.encoder === 'unavailable') onEncoderUnavailable?.();
        vectorsReady.then(() => resolve(loadIntentModel(msg.model))).catch((err: unknown) => reject(err as Error));
      });
      void worker.terminate();
    });
    worker.once('error', (err) => finish(() => reject(err)));
    worker.once('exit', (code) => finish(() => reject(new Error(`intent training worker exited with code ${code} before answering`))));
  });
}
