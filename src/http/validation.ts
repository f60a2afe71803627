import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';

// Bodies are JSON with real types: a string where an integer belongs is a 400, never coerced.
// Query strings and path parameters are text by nature and are coerced to their schema's types.
export function registerValidation(app: FastifyInstance): void {
  const strict = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  const coercing = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
}
