import os from 'node:os';
import { Piscina } from 'piscina';
import { requestedBodies } from './bodies.js';
import { siblingModule } from '../workers/workerEntry.js';
import type { BodiesRequest, BodiesResponse } from './bodiesWorker.js';

// Deriving bodyPlain and bodyClean is a large share of the store path's CPU: ~0.13 ms for the
// bench's 2 KB email in isolation (one htmlparser2 pass; more under load), much more for a large
// HTML newsletter, time in which the event loop serves nobody. It pays to move it: on 2 cores
// BODY_THREADS=-1 stored 1.6-2.7x the messages of BODY_THREADS=0 (bench, 2026-12-01). Bodies go
// to piscina's worker threads: with spare cores every body of OFFLOAD_MIN_CHARS or more, so the
// event loop keeps to HTTP and SQL; on a single core only bodies of LARGE_BODY_CHARS or more,
// where one slow body would stall everyone.
export const LARGE_BODY_CHARS = 32 * 1024;
// Below this a thread hop (two messages, ~30–60 µs) costs about what deriving inline does.
export const OFFLOAD_MIN_CHARS = 256;
const MAX_AUTO_THREADS = 4;
// An idle thread is ended after this; the next body starts one again (~30 ms under tsx).
const IDLE_MS = 60_000;

type Derived = { bodyPlain: string | null; bodyClean: string | null };

let size = autoSize();
let pool: Piscina<BodiesRequest, BodiesResponse> | null = null;
let offloaded = 0;

function autoSize(): number {
  return Math.min(MAX_AUTO_THREADS, os.availableParallelism() - 1);
}

/**
 * How many threads derive bodies: `-1` one per spare core (at most 4), `0` none except for
 * large bodies (then one). Bodies offloaded from now on go to a pool of the new size; the old
 * pool finishes what it was given.
 */
export function configureBodyThreads(n: number): void {
  size = n < 0 ? autoSize() : n;
  const old = pool;
  pool = null;
  if (old) void old.close();
}

function threadPool(): Piscina<BodiesRequest, BodiesResponse> {
  // Threads start on demand and idle ones do not keep a finished process (or test run) alive.
  pool ??= new Piscina({ filename: siblingModule(import.meta.url, 'bodiesWorker'), minThreads: 0, maxThreads: Math.max(size, 1), idleTimeout: IDLE_MS });
  return pool;
}

async function onThread(request: BodiesRequest): Promise<Derived> {
  let res: BodiesResponse;
  try {
    res = await threadPool().run(request);
  } catch {
    // The thread failed (it could not start, or died): the event loop derives it, slower, never lost.
    return requestedBodies(request.body, request.plain, request.clean);
  }
  if (!res.ok) throw new Error(`deriving bodies failed: ${res.error}`);
  return res;
}

/**
 * bodyPlain and bodyClean of a message, each derived from the HTML body unless the client sent
 * it (conversation-store.md).
 */
export async function deriveBodies(body: string, givenPlain?: string | null, givenClean?: string | null): Promise<{ bodyPlain: string; bodyClean: string }> {
  const plain = givenPlain ?? null;
  const clean = givenClean ?? null;
  const request: BodiesRequest = { body, plain: plain === null, clean: clean === null };
  const offload = (request.plain || request.clean) && (body.length >= LARGE_BODY_CHARS || (size > 0 && body.length >= OFFLOAD_MIN_CHARS));
  let derived: Derived;
  if (!offload) derived = requestedBodies(body, request.plain, request.clean);
  else {
    offloaded++;
    derived = await onThread(request);
  }
  return { bodyPlain: plain ?? derived.bodyPlain ?? '', bodyClean: clean ?? derived.bodyClean ?? '' };
}

/** How many messages had their bodies derived on a thread (for tests and metrics). */
export function offloadedBodies(): number {
  return offloaded;
}
