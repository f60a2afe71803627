// Typed domain errors. Use cases throw these; one Fastify error handler (src/http/errorHandler.ts)
// maps them to the JSON error shape `{success: false, error: {code, message, field}}`.

export class DomainError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 422: the request is well-formed but breaks a rule (unknown subchannel, bad date, bad address). */
export class Invalid extends DomainError {
  constructor(field: string, reason: string, code = 'invalid_value') {
    super(422, code, `${field}: ${reason}`, field);
  }
}

/** 400: the request cannot be understood (wrong type, unknown filter key). */
export class BadRequest extends DomainError {
  constructor(field: string | undefined, reason: string, code = 'bad_request') {
    super(400, code, field ? `${field}: ${reason}` : reason, field);
  }
}

export class NotFound extends DomainError {
  constructor(what: string, id: string | number, field?: string) {
    super(404, 'not_found', `${what} ${id} not found`, field);
  }
}

export class Conflict extends DomainError {
  constructor(reason: string, field?: string) {
    super(409, 'conflict', reason, field);
  }
}

export class Unauthorized extends DomainError {
  constructor(reason = 'authentication required: log in (connect.sid cookie) or send Authorization: Bearer <api key>') {
    super(401, 'unauthorized', reason);
  }
}

export class Forbidden extends DomainError {
  constructor(reason: string) {
    super(403, 'forbidden', reason);
  }
}

export class PayloadTooLarge extends DomainError {
  constructor(reason: string, field?: string) {
    super(413, 'payload_too_large', reason, field);
  }
}
