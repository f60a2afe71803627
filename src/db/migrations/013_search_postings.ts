import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../dialect.js';

// PostgreSQL: which tickets hold a word, as b-tree postings ordered by ticket id (docs/SCALE.md).
//
// GIN over the per-message vectors (migration 007) finds a word's rows fast, but its posting lists
// are in heap order: a search ordered by ticket id must read every matching row's heap block for
// its ticket_id before it can sort (a surname: 27,532 rows, 10,384 blocks, 53–137 ms at a million
// messages). search_postings holds one row per (word, ticket), so a word's tickets are an
// index-only range scan of (lexeme, ticket_id), and the page is the first tickets of that range.
// GIN stays for ranking by relevance. SQLite needs none of this: FTS5's rowid already carries the
// ticket id, so its doclists are in ticket order.
//
// Kept by triggers on the two vector tables, so every writer (store, ticket create and patch, the
// AI summary, erasure) keeps it in step inside its own transaction. A word leaves a ticket's
// postings only when no other row of that ticket still holds it. lexeme is in the C collation so
// that a prefix is a plain byte range of the index.
export function searchPostingsMigration(kind: DbKind) {
  return {
    async up(db: Kysely<any>) {
      if (kind !== 'postgres') return;
      // No foreign key: a ticket's rows leave through the trigger below, and a key on ticket_id
      // would cost a second index as large as the first.
      await sql`create table search_postings (lexeme text collate "C" not null, ticket_id integer not null)`.execute(db);
      // A removed word is checked against the ticket's other messages, found by ticket.
      await sql`create index conversation_search_ticket_idx on conversation_search (ticket_id)`.execute(db);
      await sql`create function tm_search_postings_sync() returns trigger language plpgsql as $$
        declare
          new_words text[] := case when tg_op <> 'DELETE' then tsvector_to_array(new.tsv) else '{}' end;
          old_words text[] := case when tg_op <> 'INSERT' then tsvector_to_array(old.tsv) else '{}' end;
          added text[] := new_words;
          removed text[] := old_words;
        begin
          -- The same ticket keeps the words both versions hold; a move takes them all along.
          if tg_op = 'UPDATE' and old.ticket_id = new.ticket_id then
            added := array(select unnest(new_words) except select unnest(old_words));
            removed := array(select unnest(old_words) except select unnest(new_words));
          end if;
          if cardinality(added) > 0 then
            insert into search_postings (lexeme, ticket_id) select unnest(added), new.ticket_id on conflict do nothing;
          end if;
          if cardinality(removed) > 0 then
            -- An after trigger: the row's own change is done, so it no longer counts as holding the
            -- word. When several rows go at once (a ticket erased, by cascade), the last of them to
            -- hold a word sees no other and takes the posting with it.
            delete from search_postings p where p.ticket_id = old.ticket_id and p.lexeme = any(removed)
              and not exists (select 1 from conversation_search c where c.ticket_id = old.ticket_id and array[p.lexeme::text] <@ tsvector_to_array(c.tsv))
              and not exists (select 1 from ticket_search s where s.ticket_id = old.ticket_id and array[p.lexeme::text] <@ tsvector_to_array(s.tsv));
          end if;
          return null;
        end $$`.execute(db);
      for (const table of ['ticket_search', 'conversation_search']) {
        await sql`create trigger ${sql.raw(`${table}_postings`)} after insert or update or delete on ${sql.table(table)}
          for each row execute function tm_search_postings_sync()`.execute(db);
      }
      // A text search checks each candidate ticket's filters by id, in id order, until the page and
      // the capped count are full (4,011 probes for a surname + status=open at a million
      // conversations). With status and channel in the index those probes need no heap: 16.8 ->
      // 10.9 ms for that count, 23.5 -> 17.8 ms p50 over HTTP. Pages of tickets updated since the
      // last vacuum still need their heap row.
      await sql`create index tickets_live_id_status_idx on tickets (id) include (status, channel) where deleted_at is null`.execute(db);
      // Back-fill, then the key: building the index once is faster than keeping it row by row
      // (a million messages: ~50 s for 20 million postings, ~25 s for the index, on 2 cores).
      await sql`insert into search_postings (lexeme, ticket_id)
        select distinct lexeme, ticket_id from (
          select unnest(tsvector_to_array(tsv)) as lexeme, ticket_id from ticket_search
          union all
          select unnest(tsvector_to_array(tsv)), ticket_id from conversation_search) words`.execute(db);
      await sql`alter table search_postings add primary key (lexeme, ticket_id)`.execute(db);
      // Index-only scans need the visibility map, which a vacuum sets. Insert-driven autovacuum waits
      // for 20% of the table to be new (4 million postings at a million messages); the newest
      // tickets, which an id-ordered search reads first, would be the ones read from the heap.
      await sql`alter table search_postings set (autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 100000)`.execute(db);
    },
  };
}
