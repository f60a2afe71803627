import { sql, type Kysely } from 'kysely';

/**
 * PostgreSQL: postings the vectors call for but search_postings lacks (missing), and postings no
 * vector holds any more (stale). Both 0 when migration 013's trigger and back-fill are right.
 */
export async function postingsDrift(k: Kysely<any>): Promise<{ missing: number; stale: number }> {
  const row = await sql<{ missing: string; stale: string }>`
    with expected as (
      select distinct (unnest(tsvector_to_array(tsv)) collate "C") as lexeme, ticket_id
      from (select tsv, ticket_id from ticket_search union all select tsv, ticket_id from conversation_search) v)
    select (select count(*) from (select lexeme, ticket_id from expected except select lexeme, ticket_id from search_postings) a) as missing,
           (select count(*) from (select lexeme, ticket_id from search_postings except select lexeme, ticket_id from expected) b) as stale`.execute(k);
  return { missing: Number(row.rows[0]!.missing), stale: Number(row.rows[0]!.stale) };
}
