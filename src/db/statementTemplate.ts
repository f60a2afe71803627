import { CompiledQuery, PostgresAdapter, type Compilable, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { DbKind } from './dialect.js';

// Kysely builds and compiles every query anew: ~40 µs for a small select and ~100 µs for the
// 25-column conversation insert on the bench machine, a fifth of the store path's event-loop
// time. The statements on that path have a fixed shape, so their SQL is compiled once per
// database and only the values change from call to call.

const MARKER = '\u0000tm-template:';

interface Compiled {
  sql: string;
  // Where each bound parameter comes from: a value of the call, or a constant of the build.
  slots: ({ name: string } | { value: unknown })[];
}

/**
 * A statement built with Kysely once per database and then run with new values. `build` gets a
 * stand-in for each value (`v.ticketId`) and must use it only where Kysely binds a parameter:
 * in `values()`, `set()` and comparisons, not as an identifier, a `limit` or an `is null`.
 * The first call checks that every stand-in became a parameter. `kind` lets the SQL differ by
 * database (row locks on PostgreSQL).
 */
export function statementTemplate<V extends object, O>(build: (db: Kysely<Database>, v: V, kind: DbKind) => Compilable<O>) {
  const byDialect = new WeakMap<object, Compiled>();

  function compile(db: Kysely<Database>, kind: DbKind): Compiled {
    const used = new Set<string>();
    const standIns = new Proxy({} as V, {
      get: (_target, name) => {
        used.add(String(name));
        return `${MARKER}${String(name)}`;
      },
    });
    const query = build(db, standIns, kind).compile();
    const slots = query.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARKER) ? { name: p.slice(MARKER.length) } : { value: p }));
    const bound = new Set(slots.flatMap((s) => ('name' in s ? [s.name] : [])));
    const lost = [...used].filter((n) => !bound.has(n));
    if (lost.length > 0 || slots.some((s) => 'value' in s && typeof s.value === 'string' && s.value.includes(MARKER))) {
      throw new Error(`statement template: ${lost.join(', ')} not bound as plain parameters in: ${query.sql}`);
    }
    return { sql: query.sql, slots };
  }

  return async function run(db: Kysely<Database>, values: V): Promise<O[]> {
    // The adapter is one object per Kysely instance, shared with its transactions.
    const dialect = db.getExecutor().adapter;
    let compiled = byDialect.get(dialect);
    if (!compiled) {
      compiled = compile(db, dialect instanceof PostgresAdapter ? 'postgres' : 'sqlite');
      byDialect.set(dialect, compiled);
    }
    const parameters = compiled.slots.map((s) => ('name' in s ? (values as Record<string, unknown>)[s.name] : s.value));
    const result = await db.executeQuery<O>(CompiledQuery.raw(compiled.sql, parameters));
    return result.rows;
  };
}
