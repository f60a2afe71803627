// Worker-thread task (run by the piscina pool in deriveBodies.ts): derives bodyPlain/bodyClean
// off the event loop. A failed derivation is answered, not thrown, so that a rejected task
// always means the thread itself failed (and the caller derives inline instead).

import { requestedBodies } from './bodies.js';

export interface BodiesRequest {
  body: string;
  plain: boolean;
  clean: boolean;
}

export type BodiesResponse =
  | { ok: true; bodyPlain: string | null; bodyClean: string | null }
  | { ok: false; error: string };

export default function deriveOnThread(req: BodiesRequest): BodiesResponse {
  try {
    return { ok: true, ...requestedBodies(req.body, req.plain, req.clean) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
