import type { Readable } from 'node:stream';
import { Type, type TSchema } from '@sinclair/typebox';

// Every route declares what it answers, so /docs documents each shape and Fastify serialises with
// fast-json-stringify. That serializer writes only what the schema names: a property left out of a
// schema is silently dropped from the answer (test/helpers/serializerGuard.ts catches that in every
// test). Free-form objects (rawData, data, AI outputs) say `additionalProperties: true`.

/** The one error shape (src/http/errorHandler.ts writes it): every route's 4xx and 5xx answers. */
export const ErrorResponse = Type.Object({
  success: Type.Literal(false),
  error: Type.Object({
    code: Type.String({ description: 'machine-readable, e.g. invalid_value, not_found, unauthorized' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'the request field at fault, as attachments[0].url' })),
  }),
}, { description: 'An error: 400 malformed or wrong type, 401, 403, 404, 409, 413, 415, 422 a rule broken, 429, 503' });

/** A route's response schemas: its success answer(s) and the shared error shape. */
export function answers<T extends Record<number, TSchema>>(ok: T) {
  return { ...ok, '4xx': ErrorResponse, '5xx': ErrorResponse };
}

/** `{success: true}` and nothing else. */
export const SuccessOnly = Type.Object({ success: Type.Boolean() });

/** `{success: true, id}`: what create and delete routes answer. */
export const SuccessId = Type.Object({ success: Type.Boolean(), id: Type.Integer() });

/** Unix seconds. */
export const Seconds = Type.Integer({ description: 'Unix seconds' });

/**
 * A file answer, documented as bytes. Fastify never serialises a stream, so this only documents;
 * typed as a stream so the route's handler may send one.
 */
export function binaryAnswer(description: string) {
  return Type.Unsafe<Readable>({ description, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } });
}
