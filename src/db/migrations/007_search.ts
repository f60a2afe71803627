import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../dialect.js';

// Full-text search over every message of a ticket (issue 15 item 2, issue 18 item 1).
//
// The index is kept by triggers in the database, so every writer keeps it in step inside its own
// transaction: the store and ticket create (insertConversation), ticket patch, the AI pipeline's
// summary, and any later path that edits or deletes a conversation or erases a ticket. One index
// row per ticket (subject, summary) and one per conversation (subject, the plain body); a search
// matches each word against all rows of a ticket (src/search/fullText.ts).
//
// Text normalisation, the same on both databases: lower case, German umlauts and the common
// Latin accents folded (ä→a, é→e; "Zählerstände" is indexed as "zahlerstande"), punctuation as
// word breaks (an address "john@smith.com" is the words john, smith, com). No dictionary stemmer:
// SQLite ships none for German, and the German snowball stemmer in PostgreSQL would make the two
// databases answer differently. Inflection is handled on the query side instead (light suffix
// stripping and prefix match), identically on both. Measured choice, see the commit message.
//
// Only the first SEARCH_INDEX_MAX_CHARS characters of a message body are indexed (about eight
// pages; the rest of a long mail is mostly quoted history, indexed with the earlier message it
// quotes). Indexing costs ~0.2 µs a character in SQLite, inside the writer's commit on the event
// loop, and ~1 µs in PostgreSQL's parser; a 1 MB body would hold the SQLite writer ~100 ms.
export const SEARCH_INDEX_MAX_CHARS = 20_000;

// SQLite: one FTS5 row per ticket (subject, summary) and per conversation (subject, body), keyed
// rowid = ticket id × 2^32 + conversation id (0 for the ticket's own row), so a match yields its
// ticket as rowid >> 32 without a join (ids stay below 2^31).
const ROWID = (ticket: string, conversation: string) => sql.raw(`(${ticket} * 4294967296 + ${conversation})`);

// PostgreSQL folding: the replacements run as nested replace() calls, each a fast byte search; a
// translate() over the same list measured 10× slower (370 ms for 270,000 characters). lower() is
// applied first; upper-case umlauts are listed as well because lower() leaves them alone under
// the C locale. SQLite's unicode61 tokenizer with remove_diacritics 2 folds the same letters.
const FOLDS: [string, string][] = [
  ...[...'äÄàáâ'].map((c): [string, string] => [c, 'a']), ...[...'öÖóòô'].map((c): [string, string] => [c, 'o']),
  ...[...'üÜúùû'].map((c): [string, string] => [c, 'u']), ...[...'éèêë'].map((c): [string, string] => [c, 'e']),
  ...[...'íìîï'].map((c): [string, string] => [c, 'i']), ['ç', 'c'], ['ñ', 'n'],
  // Characters that PostgreSQL's parser would join into e-mail, URL, host, path, hyphenated-word or
  // version tokens (john@smith.com as one lexeme); unicode61 breaks words on them.
  ...[...'@.-/:_+'].map((c): [string, string] => [c, ' ']),
];
const foldSql = (arg: string) => FOLDS.reduce((acc, [from, to]) => `replace(${acc}, '${from}', '${to}')`, `lower(${arg})`);

export function searchMigration(kind: DbKind) {
  return {
    async up(db: Kysely<any>) {
      // Enneo's spam classification (auto_spam, auto_programmatic, manual_spam, auto_clean,
      // manual_clean); Enneo's default is null (not classified).
      await db.schema.alterTable('tickets').addColumn('spam_status', 'text').execute();
      // t.modelRunAt is the time of the ticket's latest AI run.
      await db.schema.createIndex('cortex_requests_ticket_idx').on('cortex_requests').columns(['ticket_id', 'created_at']).execute();
      if (kind === 'sqlite') await sqliteIndex(db);
      else await postgresIndex(db);
    },
  };
}

async function sqliteIndex(db: Kysely<any>) {
  const max = sql.lit(SEARCH_INDEX_MAX_CHARS);
  // Contentless: the text lives in tickets/conversations only, not twice; contentless_delete lets
  // a trigger delete a row by its rowid.
  await sql`create virtual table search_fts using fts5(title, body, tokenize = 'unicode61 remove_diacritics 2', content = '', contentless_delete = 1)`.execute(db);
  // The rank column: bm25 with the title (subject) weighing twice the body.
  await sql`insert into search_fts (search_fts, rank) values ('rank', 'bm25(2.0, 1.0)')`.execute(db);

  const ticketRow = sql`insert into search_fts (rowid, title, body) values (${ROWID('new.id', '0')}, new.subject, coalesce(new.summary, ''));`;
  await sql`create trigger tickets_fts_insert after insert on tickets begin ${ticketRow} end`.execute(db);
  // Store, the AI pipeline and patch update tickets often; only subject and summary matter here.
  await sql`create trigger tickets_fts_update after update of subject, summary on tickets
    when old.subject is not new.subject or old.summary is not new.summary
    begin delete from search_fts where rowid = ${ROWID('old.id', '0')}; ${ticketRow} end`.execute(db);
  await sql`create trigger tickets_fts_delete after delete on tickets begin delete from search_fts where rowid = ${ROWID('old.id', '0')}; end`.execute(db);

  // A conversation with deleted_at set leaves the index (and returns if it is cleared).
  const convRow = sql`insert into search_fts (rowid, title, body)
    select ${ROWID('new.ticket_id', 'new.id')}, coalesce(new.subject, ''), substr(new.body_plain, 1, ${max}) where new.deleted_at is null;`;
  const convDelete = sql`delete from search_fts where rowid = ${ROWID('old.ticket_id', 'old.id')};`;
  await sql`create trigger conversations_fts_insert after insert on conversations begin ${convRow} end`.execute(db);
  await sql`create trigger conversations_fts_update after update of subject, body_plain, ticket_id, deleted_at on conversations
    when old.subject is not new.subject or old.body_plain is not new.body_plain or old.ticket_id is not new.ticket_id or old.deleted_at is not new.deleted_at
    begin ${convDelete} ${convRow} end`.execute(db);
  // Also fires for conversations deleted by the tickets → conversations cascade.
  await sql`create trigger conversations_fts_delete after delete on conversations begin ${convDelete} end`.execute(db);

  // Back-fill what existed before this migration.
  await sql`insert into search_fts (rowid, title, body) select ${ROWID('id', '0')}, subject, coalesce(summary, '') from tickets`.execute(db);
  await sql`insert into search_fts (rowid, title, body)
    select ${ROWID('ticket_id', 'id')}, coalesce(subject, ''), substr(body_plain, 1, ${max}) from conversations where deleted_at is null`.execute(db);
}

async function postgresIndex(db: Kysely<any>) {
  const max = sql.lit(SEARCH_INDEX_MAX_CHARS);
  // One function for index and query side, so both fold alike. Immutable: to_tsvector with an
  // explicit configuration, lower and translate are.
  await sql`create function tm_search_fold(t text) returns text language sql immutable parallel safe
    as $$ select ${sql.raw(foldSql('t'))} $$`.execute(db);
  await sql`create function tm_search_vector(t text) returns tsvector language sql immutable parallel safe
    as $$ select to_tsvector('simple'::regconfig, tm_search_fold(t)) $$`.execute(db);

  await sql`create table ticket_search (
    ticket_id integer primary key references tickets(id) on delete cascade,
    tsv tsvector not null)`.execute(db);
  // ticket_id is copied so that a match needs no join to the (wide) conversations rows.
  await sql`create table conversation_search (
    conversation_id integer primary key references conversations(id) on delete cascade,
    ticket_id integer not null,
    tsv tsvector not null)`.execute(db);
  await sql`create index ticket_search_tsv_idx on ticket_search using gin (tsv)`.execute(db);
  await sql`create index conversation_search_tsv_idx on conversation_search using gin (tsv)`.execute(db);

  // Subject weighs more than summary (A, B), as in SQLite's bm25 weights (src/search/fullText.ts).
  await sql`create function tm_ticket_search_sync() returns trigger language plpgsql as $$
    begin
      insert into ticket_search (ticket_id, tsv)
        values (new.id, setweight(tm_search_vector(new.subject), 'A') || setweight(tm_search_vector(coalesce(new.summary, '')), 'B'))
        on conflict (ticket_id) do update set tsv = excluded.tsv;
      return null;
    end $$`.execute(db);
  // A conversation with deleted_at set leaves the index (and returns if it is cleared).
  await sql`create function tm_conversation_search_sync() returns trigger language plpgsql as $$
    begin
      if new.deleted_at is not null then
        delete from conversation_search where conversation_id = new.id;
      else
        insert into conversation_search (conversation_id, ticket_id, tsv)
          values (new.id, new.ticket_id, tm_search_vector(coalesce(new.subject, '') || ' ' || left(new.body_plain, ${max})))
          on conflict (conversation_id) do update set ticket_id = excluded.ticket_id, tsv = excluded.tsv;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger tickets_search_insert after insert on tickets for each row execute function tm_ticket_search_sync()`.execute(db);
  await sql`create trigger tickets_search_update after update of subject, summary on tickets for each row
    when (old.subject is distinct from new.subject or old.summary is distinct from new.summary)
    execute function tm_ticket_search_sync()`.execute(db);
  await sql`create trigger conversations_search_insert after insert on conversations for each row execute function tm_conversation_search_sync()`.execute(db);
  await sql`create trigger conversations_search_update after update of subject, body_plain, ticket_id, deleted_at on conversations for each row
    when (old.subject is distinct from new.subject or old.body_plain is distinct from new.body_plain
      or old.ticket_id is distinct from new.ticket_id or old.deleted_at is distinct from new.deleted_at)
    execute function tm_conversation_search_sync()`.execute(db);
  // Deletes need no trigger: the foreign keys cascade.

  await sql`insert into ticket_search (ticket_id, tsv)
    select id, setweight(tm_search_vector(subject), 'A') || setweight(tm_search_vector(coalesce(summary, '')), 'B') from tickets`.execute(db);
  await sql`insert into conversation_search (conversation_id, ticket_id, tsv)
    select id, ticket_id, tm_search_vector(coalesce(subject, '') || ' ' || left(body_plain, ${max})) from conversations where deleted_at is null`.execute(db);
}
