import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors.js';

interface ErrorBody {
  success: false;
  error: { code: string; message: string; field?: string };
}

const body = (code: string, message: string, field?: string): ErrorBody => ({
  success: false,
  error: field ? { code, message, field } : { code, message },
});

// Ajv reports `/attachments/0/name`; clients read `attachments[0].name`.
function fieldOf(instancePath: string, missing?: string): string | undefined {
  const parts = instancePath.split('/').filter(Boolean);
  if (missing) parts.push(missing);
  if (parts.length === 0) return undefined;
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

// The code of a 4xx that carries no code of ours (a plugin's, or Fastify's own).
const CODE_OF_STATUS: Readonly<Record<number, string>> = { 403: 'forbidden', 404: 'not_found', 414: 'uri_too_long', 429: 'rate_limited' };
const codeOfStatus = (status: number): string => CODE_OF_STATUS[status] ?? 'bad_request';

// What Fastify's router refuses before any route or hook runs; its own messages repeat the path.
const ROUTER_ERRORS: Readonly<Record<string, { code: string; message: string }>> = {
  FST_ERR_BAD_URL: { code: 'bad_url', message: 'the path is not valid percent-encoded UTF-8' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'uri_too_long', message: 'a path parameter is too long' },
};

/** Fastify's `frameworkErrors` option: the router's refusals get the contract's error shape too, not Fastify's own. */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const known = Object.hasOwn(ROUTER_ERRORS, err.code) ? ROUTER_ERRORS[err.code] : undefined;
  void reply.code(status).send(body(known?.code ?? codeOfStatus(status), known?.message ?? err.message));
}

/** The one place where errors become the contract's JSON error shape. */
export function registerErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError & { validationContext?: string }, request, reply) => {
    if (err instanceof DomainError) {
      return reply.code(err.statusCode).send(body(err.code, err.message, err.field));
    }
    if (err.validation) {
      const v = err.validation[0];
      const params = (v?.params ?? {}) as { missingProperty?: string; allowedValues?: unknown[] };
      const where = err.validationContext === 'body' ? undefined : err.validationContext;
      const field = fieldOf(v?.instancePath ?? '', params.missingProperty) ?? where;
      const reason = params.missingProperty ? 'is required' : v?.keyword === 'anyOf' ? 'has the wrong type or value' : v?.message ?? 'is invalid';
      return reply.code(400).send(body('invalid_request', `${field ?? 'body'} ${reason}`, field));
    }
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send(body('payload_too_large', `request body exceeds the limit of ${bodyLimit} bytes`));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return reply.code(415).send(body('unsupported_media_type', `content type ${request.headers['content-type'] ?? '(none)'} is not supported; send application/json`));
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.code(400).send(body('malformed_json', 'the body is empty but content-type is application/json'));
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return reply.code(400).send(body('malformed_json', `the body is not valid JSON: ${err.message}`));
    }
    if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON/i.test(err.message))) {
      return reply.code(400).send(body('malformed_json', `the body is not valid JSON: ${err.message}`));
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send(body(codeOfStatus(status), err.message));
    }
    if (status === 503) return reply.code(503).send(body('unavailable', err.message));
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(body('internal_error', 'internal error; the request id in the logs has details'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(body('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
