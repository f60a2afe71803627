import { sql } from 'kysely';
import type { TestApp } from './app.js';

/** Rows per table, in one round trip: the hostile-input sweeps ask before each of their requests. */
export async function rowCounts(t: TestApp, tables: readonly string[]): Promise<Record<string, number>> {
  const row = await sql<Record<string, number | string>>`select ${sql.join(tables.map((table) => sql`(select count(*) from ${sql.table(table)}) as ${sql.ref(table)}`))}`.execute(t.ctx.db.kysely);
  return Object.fromEntries(tables.map((table) => [table, Number(row.rows[0]![table])]));
}
