import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';

// The `total` of ticket search and event search, counted up to a cap.
//
// An exact count reads every matching row: at a million conversations that is 16–480 ms for one
// count (docs/SCALE.md), while the page itself comes from an index in under a millisecond. Past
// the cap the count stops: `total` is the cap and `totalIsCapped` says it is a lower bound, as a
// search engine's "1,000+" does. Paging is unaffected: offset and limit read the rows, not the
// count. The default cap (SEARCH_TOTAL_MAX, 1,000, as Zendesk's search API caps its results) costs
// about 1 ms on PostgreSQL as an index-only scan; 10,000 cost 11 ms there.

export interface BoundedTotal {
  total: number;
  /** true when more rows match than were counted: `total` is then the cap, a lower bound */
  totalIsCapped: boolean;
}

/** The answer for `n` rows counted up to max + 1. */
export function cappedTotal(n: number, max: number): BoundedTotal {
  return n > max ? { total: max, totalIsCapped: true } : { total: n, totalIsCapped: false };
}

/** `select count(*) from (<query's rows> limit max + 1)`: the database stops after max + 1 rows. */
export async function boundedTotal(
  kysely: Kysely<any>,
  matching: SelectQueryBuilder<any, any, object>,
  max: number,
): Promise<BoundedTotal> {
  const rows = matching.clearSelect().clearOrderBy().select(sql.lit(1).as('one')).limit(max + 1);
  const row = await kysely.selectFrom(rows.as('capped')).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return cappedTotal(Number(row.n), max);
}
