import type pg from 'pg';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

// Kysely's queries on PostgreSQL as named (prepared) statements. pg sends every parameterised
// query as an unnamed statement, which the server parses, analyses and plans on each run; a
// named one is parsed once per connection and its plan cached. Measured on the store path (nine
// statements, docs/SCALE.md "Bench on PostgreSQL"): about a third less backend CPU per store.
//
// Bounds. A text is named on its second use, so one-off statements (migrations, a search's rare
// filter combination) stay unnamed; at most MAX_NAMED texts are named per process, so no
// connection holds more prepared statements than that, whatever texts the process builds
// (IN lists of many lengths). Names are never reused: pg refuses a name bound to another text.
// Parameterless statements are left alone: pg sends them with the simple protocol, which also
// runs several statements in one text (some migrations do).
//
// Schema changes. A prepared statement whose result columns change (a `select *` on a table
// that gained a column, e.g. by another process's migration in a rolling deploy) fails with
// "cached plan must not change result type" on its connection until that connection closes. Such
// a connection is closed when it is released, so the change costs one failed statement per
// pooled connection rather than every later run of it.

const MAX_NAMED = 256;
// SQLSTATE 0A000 (feature_not_supported), raised by RevalidateCachedQuery.
const STALE_PLAN = /cached plan must not change result type/;

export function withPreparedStatements(pool: pg.Pool): PostgresPool {
  let named = 0;
  // text → its name, or null when seen once; texts seen once are remembered up to 4 × MAX_NAMED.
  const seen = new Map<string, string | null>();
  const nameOf = (text: string): string | undefined => {
    const name = seen.get(text);
    if (name) return name;
    if (name === undefined) {
      if (seen.size < 4 * MAX_NAMED) seen.set(text, null);
      return undefined;
    }
    if (named >= MAX_NAMED) return undefined;
    const next = `tm_${named++}`;
    seen.set(text, next);
    return next;
  };
  return {
    end: () => pool.end(),
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let stale = false;
      async function run<R>(text: string, values: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
        const name = values.length > 0 ? nameOf(text) : undefined;
        try {
          return (await client.query(name ? { name, text, values: [...values] } : { text, values: [...values] })) as unknown as PostgresQueryResult<R>;
        } catch (err) {
          if (name && err instanceof Error && STALE_PLAN.test(err.message)) stale = true;
          throw err;
        }
      }
      // Kysely passes a cursor only when configured with one (streaming); it goes through as is.
      function query<R>(text: string, values: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
      function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
      function query<R>(text: string | PostgresCursor<R>, values?: ReadonlyArray<unknown>) {
        return typeof text === 'string' ? run<R>(text, values ?? []) : (client.query(text as never) as unknown as PostgresCursor<R>);
      }
      return {
        query,
        release: (destroy?: boolean) => client.release(destroy || stale),
      } satisfies PostgresPoolClient;
    },
  };
}
