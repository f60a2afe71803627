import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';

// Bodies are JSON with real types: a string where an integer belongs is a 400, never coerced.
// Query strings and path parameters are text by nature and are coerced to their schema's types.
const strict = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
const coercing = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false, strict: false });

// Compiled validators are kept for the process, keyed by the schema's JSON: an app built again in
// the same process (the test suite builds one or more per test file, ~130 in all) compiled every
// route schema anew, 0.2-0.4 s of CPU per app. Keyed by content, not identity, because routes
// build some schemas inline. A validator holds no request state between calls (Fastify reads
// `errors` right after its synchronous call), so sharing one between apps is what a route does
// between requests already.
const compiled = new Map<string, ValidateFunction>();

export function registerValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const body = httpPart === 'body';
    const key = `${body ? 'strict' : 'coercing'}:${JSON.stringify(schema)}`;
    let validate = compiled.get(key);
    if (!validate) {
      validate = (body ? strict : coercing).compile(schema);
      compiled.set(key, validate);
    }
    return validate;
  });
}
