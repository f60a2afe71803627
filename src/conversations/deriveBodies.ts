import os from 'node:os';
import { Piscina } from 'piscina';
import { requestedBodies } from './bodies.js';
import type { BodiesRequest, BodiesResponse } from './bodiesWorker.js';

// Deriving bodyPlain and bodyClean is a large share of the store path's CPU: ~0.1 ms for the
// bench's 2 KB email in isolation (one htmlparser2 pass; more under load), much more for a large
// HTML newsletter, time in which the event loop serves nobody. It still pays to move it: on 2
// cores BODY_THREADS=-1 stored 1.6-2.7x the messages of BODY_THREADS=0 (bench, 2026-12-01). Bodies go to worker threads instead: with spare cores every body of
// OFFLOAD_MIN_CHARS or more, so the event loop keeps to HTTP and SQL; on a single core only
// bodies of LARGE_BODY_CHARS or more, where one slow body would stall everyone.
export const LARGE_BODY_CHARS = 32 * 1024;
// Below this a thread hop (two messages, ~30–60 µs) costs about what deriving inline does.
export const OFFLOAD_MIN_CHARS = 256;
const MAX_AUTO_THREADS = 4;
// Bodies posted to a thread before its earlier ones are answered. piscina's default (1) waits for
// each answer before posting the next, and that round trip halved throughput: one thread, 50
// bodies in flight, 6,300 vs 14,900 bodies/s and 141 vs 77 µs of CPU per body (A/B 2026-12-03,
// against 13,400/s and 92 µs for the hand-rolled pool this replaced).
const TASKS_PER_THREAD = 64;

type Derived = { bodyPlain: string | null; bodyClean: string | null };

let size = autoSize();
let pool: Piscina<BodiesRequest, BodiesResponse> | null = null;
let offloaded = 0;

function autoSize(): number {
  return Math.min(MAX_AUTO_THREADS, os.availableParallelism() - 1);
}

/**
 * How many threads derive bodies: `-1` one per spare core (at most 4), `0` none except for
 * large bodies. A running pool finishes its bodies and the next body starts the new one.
 */
export function configureBodyThreads(n: number): void {
  const next = n < 0 ? autoSize() : n;
  if (next === size) return;
  size = next;
  void pool?.close();
  pool = null;
}

function threads(): Piscina<BodiesRequest, BodiesResponse> {
  if (pool) return pool;
  // The task file has this module's extension: .ts under tsx (dev and tests), which a worker
  // thread on Node 20 can load only with tsx's hooks registered in it; .js once built.
  const ts = import.meta.url.endsWith('.ts');
  const count = Math.max(size, 1);
  pool = new Piscina<BodiesRequest, BodiesResponse>({
    filename: new URL(`./bodiesWorker.${ts ? 'ts' : 'js'}`, import.meta.url).href,
    minThreads: count,
    maxThreads: count,
    concurrentTasksPerWorker: TASKS_PER_THREAD,
    ...(ts ? { execArgv: ['--import', import.meta.resolve('tsx')] } : {}),
  });
  return pool;
}

function inline(req: BodiesRequest): Derived {
  return requestedBodies(req.body, req.plain, req.clean);
}

// A thread that fails or exits leaves its bodies to the event loop: slower, never lost. A body
// the derivation itself refuses is answered as { ok: false } and fails the store as inline would.
async function onThread(request: BodiesRequest): Promise<Derived> {
  let res: BodiesResponse;
  try {
    res = await threads().run(request);
  } catch {
    return inline(request);
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
  if (!offload) derived = inline(request);
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
