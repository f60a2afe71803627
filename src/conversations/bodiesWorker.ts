// Worker-thread entry: derives bodyPlain/bodyClean off the event loop (deriveBodies.ts).

import { parentPort } from 'node:worker_threads';
import { cleanText, htmlToPlain } from './bodies.js';

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
    res = { id: req.id, ok: true, bodyPlain: req.plain ? htmlToPlain(req.body) : null, bodyClean: req.clean ? cleanText(req.body) : null };
  } catch (err) {
    res = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(res);
});
parentPort!.postMessage({ ready: true });
