// Worker-thread entry: derives bodyPlain/bodyClean for large HTML bodies off the event loop.

import { parentPort } from 'node:worker_threads';
import { cleanText, htmlToPlain } from './bodies.js';

export interface BodiesRequest {
  id: number;
  body: string;
  plain: boolean;
  clean: boolean;
}

parentPort!.on('message', (req: BodiesRequest) => {
  try {
    parentPort!.postMessage({
      id: req.id,
      ok: true,
      bodyPlain: req.plain ? htmlToPlain(req.body) : null,
      bodyClean: req.clean ? cleanText(req.body) : null,
    });
  } catch (err) {
    parentPort!.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
parentPort!.postMessage({ ready: true });
