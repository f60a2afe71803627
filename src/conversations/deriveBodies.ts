import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { requestedBodies } from './bodies.js';
import { workerEntry } from '../workers/workerEntry.js';
import type { BodiesRequest, BodiesResponse } from './bodiesWorker.js';

// Deriving bodyPlain and bodyClean is a large share of the store path's CPU: ~0.13 ms for the
// bench's 2 KB email in isolation (one htmlparser2 pass; more under load), much more for a large
// HTML newsletter, time in which the event loop serves nobody. It still pays to move it: on 2
// cores BODY_THREADS=-1 stored 1.6-2.7x the messages of BODY_THREADS=0 (bench, 2026-12-01). Bodies go to worker threads instead: with spare cores every body of
// OFFLOAD_MIN_CHARS or more, so the event loop keeps to HTTP and SQL; on a single core only
// bodies of LARGE_BODY_CHARS or more, where one slow body would stall everyone.
export const LARGE_BODY_CHARS = 32 * 1024;
// Below this a thread hop (two messages, ~30–60 µs) costs about what deriving inline does.
export const OFFLOAD_MIN_CHARS = 256;
const MAX_AUTO_THREADS = 4;

type Derived = { bodyPlain: string | null; bodyClean: string | null };

interface Pending {
  request: BodiesRequest;
  resolve: (v: Derived) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

let size = autoSize();
const threads: Thread[] = [];
let nextId = 1;
let offloaded = 0;

function autoSize(): number {
  return Math.min(MAX_AUTO_THREADS, os.availableParallelism() - 1);
}

/**
 * How many threads derive bodies: `-1` one per spare core (at most 4), `0` none except for
 * large bodies. Applies to threads started from now on.
 */
export function configureBodyThreads(n: number): void {
  size = n < 0 ? autoSize() : n;
}

function inline(req: BodiesRequest): Derived {
  return requestedBodies(req.body, req.plain, req.clean);
}

function settleInline(p: Pending): void {
  try {
    p.resolve(inline(p.request));
  } catch (err) {
    p.reject(err as Error);
  }
}

// A thread that fails or exits leaves its requests to the event loop: slower, never lost.
function retire(thread: Thread): void {
  const i = threads.indexOf(thread);
  if (i >= 0) threads.splice(i, 1);
  for (const p of thread.pending.values()) settleInline(p);
  thread.pending.clear();
}

function startThread(): Thread {
  const worker = new Worker(workerEntry(import.meta.url, 'bodiesWorker'), { eval: true });
  const thread: Thread = { worker, pending: new Map() };
  worker.on('message', (msg: BodiesResponse | { ready: true } | { ok: false; error: string; id?: undefined }) => {
    if ('ready' in msg) return;
    if (msg.id === undefined) {
      // Only a failed start posts without an id.
      retire(thread);
      void worker.terminate();
      return;
    }
    const p = thread.pending.get(msg.id);
    if (!p) return;
    thread.pending.delete(msg.id);
    if (thread.pending.size === 0) worker.unref();
    if (msg.ok) p.resolve(msg);
    else p.reject(new Error(`deriving bodies failed: ${msg.error}`));
  });
  worker.on('error', () => retire(thread));
  worker.on('exit', () => retire(thread));
  // An idle thread must not keep a finished process (or test run) alive; it is held (ref) only
  // while a request waits on it. unref() comes after the listeners, which would ref it again.
  worker.unref();
  threads.push(thread);
  return thread;
}

// The least busy thread; a new one while all are busy and the pool is not full.
function pickThread(): Thread {
  let best: Thread | undefined;
  for (const t of threads) if (!best || t.pending.size < best.pending.size) best = t;
  if (best && (best.pending.size === 0 || threads.length >= Math.max(size, 1))) return best;
  return startThread();
}

/**
 * bodyPlain and bodyClean of a message, each derived from the HTML body unless the client sent
 * it (conversation-store.md).
 */
export async function deriveBodies(body: string, givenPlain?: string | null, givenClean?: string | null): Promise<{ bodyPlain: string; bodyClean: string }> {
  const plain = givenPlain ?? null;
  const clean = givenClean ?? null;
  const request: BodiesRequest = { id: nextId++, body, plain: plain === null, clean: clean === null };
  const offload = (request.plain || request.clean) && (body.length >= LARGE_BODY_CHARS || (size > 0 && body.length >= OFFLOAD_MIN_CHARS));
  let derived: Derived;
  if (!offload) derived = inline(request);
  else {
    offloaded++;
    derived = await new Promise<Derived>((resolve, reject) => {
      const thread = pickThread();
      thread.pending.set(request.id, { request, resolve, reject });
      thread.worker.ref();
      thread.worker.postMessage(request);
    });
  }
  return { bodyPlain: plain ?? derived.bodyPlain ?? '', bodyClean: clean ?? derived.bodyClean ?? '' };
}

/** How many messages had their bodies derived on a thread (for tests and metrics). */
export function offloadedBodies(): number {
  return offloaded;
}
