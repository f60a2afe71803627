// Worker-thread entry: trains one intent model and posts its serialised form back.
// Kept tiny so that loading it costs little beyond the classifier itself.

import { parentPort, workerData } from 'node:worker_threads';
import { trainIntentModel, type TrainingExample, type TrainOptions } from './classifier.js';

interface Job {
  examples: TrainingExample[];
  options: TrainOptions;
}

const job = workerData as Job;
try {
  const started = performance.now();
  const model = trainIntentModel(job.examples, job.options);
  parentPort?.postMessage({ ok: true, model: model.toJSON(), ms: performance.now() - started });
} catch (err) {
  parentPort?.postMessage({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
