// Retraining takes seconds of pure CPU; on the main thread it would stall every HTTP request for
// that long. A worker thread trains instead, and only the finished model crosses back.

import { Worker } from 'node:worker_threads';
import { loadIntentModel, type IntentModel, type TrainingExample, type TrainOptions } from './classifier.ts';

export interface WorkerTrainOptions extends TrainOptions {
  /** give up (and terminate the worker) after this long; default 5 minutes */
  timeoutMs?: number;
}

/**
 * The worker file has the same extension as this module: `.ts` under tsx, `.js` once compiled.
 * Node 20 does not carry the parent's `--import tsx` loader hooks into a worker (measured:
 * ERR_UNKNOWN_FILE_EXTENSION for the .ts entry), so under tsx a one-line eval entry registers
 * tsx's ESM hooks in the worker first and then imports the real file.
 */
function workerEntry(): string {
  const ts = import.meta.url.endsWith('.ts');
  const url = new URL(`./trainWorker.${ts ? 'ts' : 'js'}`, import.meta.url).href;
  const load = ts
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); })`
    : `import(${JSON.stringify(url)})`;
  return `${load}.catch((err) => require('node:worker_threads').parentPort.postMessage({ ok: false, error: String((err && err.stack) || err) }));`;
}

export function trainIntentModelInWorker(examples: readonly TrainingExample[], opts: WorkerTrainOptions = {}): Promise<IntentModel> {
  const { timeoutMs = 5 * 60_000, ...options } = opts;
  return new Promise<IntentModel>((resolve, reject) => {
    const worker = new Worker(workerEntry(), {
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
    worker.once('message', (msg: { ok: true; model: unknown } | { ok: false; error: string }) => {
      finish(() => {
        if (!msg.ok) return reject(new Error(`intent model training failed in worker: ${msg.error}`));
        try {
          resolve(loadIntentModel(msg.model));
        } catch (err) {
          reject(err as Error);
        }
      });
      void worker.terminate();
    });
    worker.once('error', (err) => finish(() => reject(err)));
    worker.once('exit', (code) => finish(() => reject(new Error(`intent training worker exited with code ${code} before answering`))));
  });
}
