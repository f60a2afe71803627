import { Worker } from 'node:worker_threads';
import { cleanText, htmlToPlain } from './bodies.js';
import { workerEntry } from '../workers/workerEntry.js';
import type { BodiesRequest } from './bodiesWorker.js';

// Deriving the bodies costs ~0.5 ms for a 2 KB email but ~170 ms for a 375 KB HTML newsletter
// (measured), time during which the event loop serves nobody. Bodies above this size are
// derived on one long-lived worker thread; small ones inline, where a thread hop would cost
// more than the work.
export const WORKER_THRESHOLD_CHARS = 32 * 1024;

interface Pending {
  resolve: (v: { bodyPlain: string | null; bodyClean: string | null }) => void;
  reject: (err: Error) => void;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();
let offloaded = 0;

function failAll(err: Error): void {
  worker = null;
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

function bodiesWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(workerEntry(import.meta.url, 'bodiesWorker'), { eval: true });
  w.on('message', (msg: { id?: number; ok?: boolean; ready?: boolean; bodyPlain?: string | null; bodyClean?: string | null; error?: string }) => {
    if (msg.ready) return;
    if (msg.id === undefined) {
      // Only a failed start posts without an id.
      failAll(new Error(`body worker failed to start: ${msg.error}`));
      void w.terminate();
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (pending.size === 0) w.unref();
    if (msg.ok) p.resolve({ bodyPlain: msg.bodyPlain ?? null, bodyClean: msg.bodyClean ?? null });
    else p.reject(new Error(`deriving bodies failed: ${msg.error}`));
  });
  w.on('error', (err) => failAll(err));
  w.on('exit', (code) => {
    if (worker === w) failAll(new Error(`body worker exited with code ${code}`));
  });
  // An idle worker must not keep a finished process (or test run) alive; it is held (ref) only
  // while a request waits on it. unref() comes after the listeners, which would ref it again.
  w.unref();
  worker = w;
  return w;
}

/**
 * bodyPlain and bodyClean of a message, each derived from the HTML body unless the client sent
 * it (conversation-store.md). Large bodies go to the worker thread.
 */
export async function deriveBodies(body: string, givenPlain?: string | null, givenClean?: string | null): Promise<{ bodyPlain: string; bodyClean: string }> {
  const plain = givenPlain ?? null;
  const clean = givenClean ?? null;
  if (body.length < WORKER_THRESHOLD_CHARS || (plain !== null && clean !== null)) {
    return { bodyPlain: plain ?? htmlToPlain(body), bodyClean: clean ?? cleanText(body) };
  }
  offloaded++;
  const id = nextId++;
  const request: BodiesRequest = { id, body, plain: plain === null, clean: clean === null };
  const derived = await new Promise<{ bodyPlain: string | null; bodyClean: string | null }>((resolve, reject) => {
    const w = bodiesWorker();
    pending.set(id, { resolve, reject });
    w.ref();
    w.postMessage(request);
  });
  return { bodyPlain: plain ?? derived.bodyPlain ?? '', bodyClean: clean ?? derived.bodyClean ?? '' };
}

/** How many messages had their bodies derived on the worker (for tests and metrics). */
export function offloadedBodies(): number {
  return offloaded;
}
