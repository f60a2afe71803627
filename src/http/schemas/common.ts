import { Type, type TSchema } from '@sinclair/typebox';

/** Enneo clients send `null` for fields they leave unset; null means "not given". */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Opt = <T extends TSchema>(t: T) => Type.Optional(Nullable(t));

export const DateInput = Type.Union([Type.String({ maxLength: 40 }), Type.Number()], {
  description: '"YYYY-MM-DD HH:MM:SS" (UTC), Unix seconds, or ISO 8601',
});

/** Ids are int columns on PostgreSQL: anything past 2^31-1 is a 400 here on both databases alike, never a driver error. */
export const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });

/** Offsets go into SQL OFFSET (bigint on PostgreSQL, int64 on SQLite): kept to the int range so both answer alike. */
export const Offset = Type.Integer({ minimum: 0, maximum: 2147483647, default: 0 });

export const IdParams = Type.Object({ id: Id });

export const ProcessMode = Type.Union([Type.Literal('realtime'), Type.Literal('batch'), Type.Literal('false'), Type.Literal(false)], {
  description: 'when AI runs: realtime (before the response), batch (durable queue, default), false (never); JSON false = "false"',
});

export const Success = Type.Object({ success: Type.Boolean() });

/** Enneo-style free-form object (rawData, data, sender, content). */
export const AnyObject = Type.Object({}, { additionalProperties: true });

export const Filter = Type.Object(
  {
    key: Type.String({ maxLength: 100 }),
    comparator: Type.Optional(Type.String({ maxLength: 20 })),
    value: Type.Optional(Type.Any()),
    values: Type.Optional(Type.Array(Type.Any(), { maxItems: 1000 })),
    from: Type.Optional(Type.Any()),
    to: Type.Optional(Type.Any()),
  },
  { additionalProperties: true },
);

// The shared error shape lives with the other response schemas.
export { ErrorResponse } from './responses.js';
