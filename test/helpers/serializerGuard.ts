import { isDeepStrictEqual } from 'node:util';
import type { FastifyInstance } from 'fastify';

// fast-json-stringify writes only what a route's response schema names: a field the schema forgot
// is dropped without a word, a number typed as integer is rounded, a null under a non-nullable
// type becomes "" or 0. This guard compares every JSON answer a test app sends with what the
// handler returned and turns any difference into a 500 naming the first differing path, so the
// whole suite checks that the response schemas change no answer it sees.

const SERIALIZED = Symbol('handler payload as plain JSON');
type Marked = { [SERIALIZED]?: string };

function firstDifference(want: unknown, got: unknown, at = '$'): string {
  if (isDeepStrictEqual(want, got)) return '';
  if (want && got && typeof want === 'object' && typeof got === 'object' && Array.isArray(want) === Array.isArray(got)) {
    const keys = new Set([...Object.keys(want), ...Object.keys(got)]);
    for (const k of keys) {
      const d = firstDifference((want as Record<string, unknown>)[k], (got as Record<string, unknown>)[k], `${at}.${k}`);
      if (d) return d;
    }
  }
  return `${at}: handler gave ${JSON.stringify(want)?.slice(0, 200)}, the serializer sent ${JSON.stringify(got)?.slice(0, 200)}`;
}

export function guardSerializer(app: FastifyInstance): void {
  app.addHook('preSerialization', async (request, _reply, payload) => {
    (request as Marked)[SERIALIZED] = JSON.stringify(payload);
    return payload;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const want = (request as Marked)[SERIALIZED];
    if (want === undefined || typeof payload !== 'string') return payload;
    const diff = firstDifference(JSON.parse(want), JSON.parse(payload));
    if (!diff) return payload;
    const message = `response schema of ${request.method} ${request.routeOptions.url} (status ${reply.statusCode}) changed the answer: ${diff}`;
    console.error(`# serializer guard: ${message}`);
    reply.code(500);
    return JSON.stringify({ success: false, error: { code: 'response_schema_mismatch', message } });
  });
}
