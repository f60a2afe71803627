import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

// SQLite in WAL mode appends commits to a log and, by default, copies the log back into the
// database inside whichever commit pushes it past 1000 pages. That commit then writes and
// fsyncs megabytes while every other request waits: 13–24 ms stalls every ~150 stores, two
// thirds of all commit time under `npm run bench`. A worker thread with its own connection
// checkpoints instead (without blocking writers), and the service's commits only append.
//
// SQLite starts the log over only when a write begins after a checkpoint copied all of it.
// Under steady writes that never happens by itself, so once the log passes resetFrames the
// service holds its writes (asynchronously: queries wait, the event loop does not) while the
// worker copies the few frames its last pass missed; the next commit then starts the log over.

const INTERVAL_MS = 100;
const DEFAULT_RESET_FRAMES = 8192; // 32 MB of 4 KB pages
const CATCH_UP_TIMEOUT_MS = 5000;
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

export interface WalCheckpointer {
  stop(): Promise<void>;
  /** Catch-up pauses so far: how often the log was started over under load. */
  readonly catchUps: number;
}

export interface WalCheckpointerOptions {
  /** Runs `fn` while no other query can use the connection. */
  holdWrites: (fn: () => Promise<void>) => Promise<void>;
  onError: (err: Error) => void;
  /** After each catch-up pause: how long queries were held. */
  onCatchUp?: (pausedMs: number) => void;
  resetFrames?: number;
}

/**
 * Moves checkpoints of `file` (opened as `database` on this thread) to a worker thread. If the
 * worker fails, the connection goes back to SQLite's own checkpoints and `onError` is told.
 */
export function startWalCheckpointer(database: SQLite.Database, file: string, opts: WalCheckpointerOptions): WalCheckpointer {
  const resetFrames = opts.resetFrames ?? DEFAULT_RESET_FRAMES;
  database.pragma(`journal_size_limit = ${resetFrames * (database.pragma('page_size', { simple: true }) as number)}`);
  database.pragma('wal_autocheckpoint = 0');
  let stopped = false;
  let catchingUp = false;
  let catchUps = 0;
  let caughtUp: (() => void) | null = null;

  const fallBack = (err: Error) => {
    if (stopped) return;
    stopped = true;
    caughtUp?.();
    if (database.open) database.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    opts.onError(err);
  };

  const catchUp = async () => {
    catchingUp = true;
    try {
      let pausedMs = 0;
      await opts.holdWrites(async () => {
        if (stopped) return;
        const started = performance.now();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            caughtUp = null;
            resolve();
          }, CATCH_UP_TIMEOUT_MS);
          caughtUp = () => {
            clearTimeout(timer);
            caughtUp = null;
            resolve();
          };
          worker.postMessage('catchUp');
        });
        pausedMs = performance.now() - started;
      });
      catchUps++;
      opts.onCatchUp?.(pausedMs);
    } finally {
      catchingUp = false;
    }
  };

  const worker = new Worker(new URL('./walCheckpointWorker.cjs', import.meta.url), {
    workerData: { file, intervalMs: INTERVAL_MS, resetFrames },
  });
  worker.on('message', (msg: { error?: string; wantsCatchUp?: boolean; caughtUp?: unknown }) => {
    if (msg.error) fallBack(new Error(`WAL checkpointer failed: ${msg.error}`));
    else if (msg.caughtUp) caughtUp?.();
    else if (msg.wantsCatchUp && !catchingUp && !stopped) catchUp().catch((err: Error) => fallBack(err));
  });
  worker.on('error', (err) => fallBack(err));
  worker.on('exit', (code) => fallBack(new Error(`WAL checkpointer exited with code ${code}`)));
  // It must not keep a finished process alive; close() stops it before the database closes.
  worker.unref();

  return {
    get catchUps() {
      return catchUps;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      caughtUp?.();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
