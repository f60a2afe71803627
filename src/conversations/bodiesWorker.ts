// Worker-thread task: derives bodyPlain/bodyClean off the event loop (deriveBodies.ts runs it
// through piscina). A failure is answered, not thrown, so that a rejected task always means the
// thread itself failed, which deriveBodies answers by deriving inline.

import { requestedBodies } from './bodies.js';

export interface BodiesRequest {
  body: string;
  plain: boolean;
  clean: boolean;
}

export type BodiesResponse =
  | { ok: true; bodyPlain: string | null; bodyClean: string | null }
  | { ok: false; error: string };

export default function deriveInThread(req: BodiesRequest): BodiesResponse {
  try {
    return { ok: true, ...requestedBodies(req.body, req.plain, req.clean) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
