// Worker-thread entry: derives bodyPlain/bodyClean off the event loop (deriveBodies.ts).

import { parentPort } from 'node:worker_threads';
import { requestedBodies } from './bodies.js';

export interface BodiesRequest {
  id: number;
  body: string;
  plain: boolean;
  clean: boolean;
}

export type BodiesResponse =
  | { id: number; ok: true; bodyPlain: string | null; bodyClean: string | null }
  | { id: number; ok: false; error: string };

parentPort!.on('message', (req: BodiesRequest) => {
  let res: BodiesResponse;
  try {
    res = { id: req.id, ok: true, ...requestedBodies(req.body, req.plain, req.clean) };
  } catch (err) {
    res = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(res);
});
parentPort!.postMessage({ ready: true });
