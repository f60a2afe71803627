// Retraining takes seconds of pure CPU; on the main thread it would stall every HTTP request for
// that long. A worker thread trains instead, and only the finished model crosses back.

import { Worker } from 'node:worker_threads';
import { loadIntentModel, type IntentModel, type TrainingExample, type TrainOptions } from './classifier.js';
import { preloadWordVectors } from './embeddings.js';
import { workerEntry } from '../../workers/workerEntry.js';

export interface WorkerTrainOptions extends TrainOptions {
  /** give up (and terminate the worker) after this long; default 5 minutes */
  timeoutMs?: number;
}

export function trainIntentModelInWorker(examples: readonly TrainingExample[], opts: WorkerTrainOptions = {}): Promise<IntentModel> {
  const { timeoutMs = 5 * 60_000, ...options } = opts;
  return new Promise<IntentModel>((resolve, reject) => {
    const worker = new Worker(workerEntry(import.meta.url, 'trainWorker'), {
      eval: true,
      workerData: { examples: examples.map((e) => ({ text: e.text, label: e.label })), options },
    });
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
    worker.once('message', (msg: { ok: true; model: unknown } | { ok: false; error: string }) => {
      finish(() => {
        if (!msg.ok) return reject(new Error(`intent model training failed in worker: ${msg.error}`));
        vectorsReady.then(() => resolve(loadIntentModel(msg.model))).catch((err: unknown) => reject(err as Error));
      });
      void worker.terminate();
    });
    worker.once('error', (err) => finish(() => reject(err)));
    worker.once('exit', (code) => finish(() => reject(new Error(`intent training worker exited with code ${code} before answering`))));
  });
}
