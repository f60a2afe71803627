// The serving side of the sentence encoder: one long-lived worker thread per process (the model
// is +195 MB; a second copy would buy little on two cores), fed in batches. Requests that arrive
// while a batch runs are sent together as the next one, so a burst of messages costs one tfjs
// call per 16 texts instead of one each (~23 vs ~65 ms per text here). Nothing here ever fails a
// detection: when the encoder is missing, broken or overloaded the answer is "no vectors" and
// the intent model scores by TF-IDF alone.

import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../workers/workerEntry.js';
import { SENTENCE_DIMENSIONS } from './sentenceEncoder.js';
import type { EncodeRequest, EncoderMessage } from './encoderWorker.js';

/** Texts waiting beyond this are not embedded: at ~20 ms each, 256 are ~5 s of encoder time. */
const MAX_QUEUED_TEXTS = 256;
/** Texts per message to the thread: the thread splits them into tfjs batches itself. */
const MAX_BATCH_TEXTS = 64;

interface Waiting {
  texts: string[];
  resolve: (v: Map<string, Float32Array>) => void;
}

export interface EncoderThreadLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export class EncoderThread {
  private worker: Worker | null = null;
  private state: 'idle' | 'starting' | 'ready' | 'unavailable' = 'idle';
  private queue: Waiting[] = [];
  private queued = 0;
  private inFlight: { id: number; batch: Waiting[] } | null = null;
  private nextId = 1;
  /** texts embedded, and texts left to TF-IDF because the queue was full */
  readonly stats = { embedded: 0, shed: 0 };

  constructor(private readonly log: EncoderThreadLog) {}

  get available(): boolean {
    return this.state !== 'unavailable';
  }

  /** Sentence vectors of `texts` by text; fewer (or none) when the encoder cannot give them. */
  embed(texts: readonly string[]): Promise<Map<string, Float32Array>> {
    if (texts.length === 0 || this.state === 'unavailable') return Promise.resolve(new Map());
    if (this.queued + texts.length > MAX_QUEUED_TEXTS) {
      this.stats.shed += texts.length;
      return Promise.resolve(new Map());
    }
    return new Promise((resolve) => {
      this.queue.push({ texts: [...texts], resolve });
      this.queued += texts.length;
      this.start();
      this.pump();
    });
  }

  /** Stops the thread; waiting requests get no vectors. */
  async close(): Promise<void> {
    const w = this.worker;
    this.fail('idle');
    if (w) await w.terminate();
  }

  private start(): void {
    if (this.state !== 'idle') return;
    this.state = 'starting';
    const worker = new Worker(workerEntry(import.meta.url, 'encoderWorker'), { eval: true });
    this.worker = worker;
    worker.on('message', (msg: EncoderMessage | { ok: false; error: string }) => this.onMessage(msg));
    worker.on('error', (err) => {
      this.log.warn({ err }, 'sentence encoder thread failed; intents use TF-IDF alone');
      this.fail('unavailable');
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.fail('idle');
    });
  }

  private onMessage(msg: EncoderMessage | { ok: false; error: string }): void {
    if ('ready' in msg) {
      if (msg.ok) {
        this.state = 'ready';
        this.log.info({}, 'sentence encoder loaded');
        this.pump();
      } else {
        this.log.warn({}, 'sentence encoder not installed (optional @energetic-ai packages); intents use TF-IDF alone');
        this.fail('unavailable');
      }
      return;
    }
    if (!('id' in msg)) {
      // workerEntry's report of a thread that could not even import its module
      this.log.warn({ error: msg.error }, 'sentence encoder thread did not start; intents use TF-IDF alone');
      this.fail('unavailable');
      return;
    }
    const done = this.inFlight;
    if (!done || done.id !== msg.id) return;
    this.inFlight = null;
    const all = done.batch.flatMap((w) => w.texts);
    const vectors = new Map<string, Float32Array>();
    if (msg.ok) {
      all.forEach((t, i) => vectors.set(t, msg.vectors.subarray(i * SENTENCE_DIMENSIONS, (i + 1) * SENTENCE_DIMENSIONS)));
      this.stats.embedded += all.length;
    } else this.log.warn({ error: msg.error }, 'sentence encoder batch failed; those messages use TF-IDF alone');
    for (const w of done.batch) w.resolve(new Map(w.texts.flatMap((t) => (vectors.has(t) ? [[t, vectors.get(t)!] as const] : []))));
    this.pump();
  }

  private pump(): void {
    if (this.state !== 'ready' || this.inFlight || !this.worker) return;
    if (this.queue.length === 0) {
      // An idle thread must not keep a finished process alive.
      this.worker.unref();
      return;
    }
    const batch: Waiting[] = [];
    let n = 0;
    while (this.queue.length && (n === 0 || n + this.queue[0]!.texts.length <= MAX_BATCH_TEXTS)) {
      const w = this.queue.shift()!;
      batch.push(w);
      n += w.texts.length;
    }
    this.queued -= n;
    const req: EncodeRequest = { id: this.nextId++, texts: batch.flatMap((w) => w.texts) };
    this.inFlight = { id: req.id, batch };
    this.worker.ref();
    this.worker.postMessage(req);
  }

  private fail(next: 'idle' | 'unavailable'): void {
    const waiting = [...(this.inFlight?.batch ?? []), ...this.queue];
    this.inFlight = null;
    this.queue = [];
    this.queued = 0;
    this.worker = null;
    if (this.state !== 'unavailable') this.state = next;
    for (const w of waiting) w.resolve(new Map());
  }
}
