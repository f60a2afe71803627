import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { DbKind } from '../db/dialect.js';
import { BadRequest } from '../errors.js';

// Full text over a ticket's subject, summary and every conversation (index: migration 007).
//
// The client's text never reaches FTS5 MATCH or to_tsquery as syntax: it is cut into words here
// (letters and digits only), and each word is bound as a quoted phrase (SQLite) or a quoted lexeme
// (PostgreSQL). A ticket matches when every word occurs somewhere in it — in the subject, the
// summary or any message, not necessarily the same one.
//
// Inflection: both databases index the folded words as written (no dictionary stemmer; see the
// migration). A query word is matched as a prefix after light suffix stripping, so "Zählerstand"
// finds "Zählerstände" and "Zählerstände" finds "Zählerstand"; "meter" finds "meters".

export const MAX_QUERY_CHARS = 500;
export const MAX_QUERY_TERMS = 16;
/** Longer words are cut here; the prefix match still finds the whole word. */
export const MAX_TERM_CHARS = 64;

export interface QueryTerm {
  word: string;
  prefix: boolean;
}

export interface SearchText {
  /** the text as given, trimmed: also matched whole against contract and customer ids */
  raw: string;
  terms: QueryTerm[];
  /** a single number: also matched against the ticket id */
  ticketId: number | null;
}

// Word characters: a letter or digit, then letters, digits and combining marks (one class, linear).
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;
// German and English endings, longest first. Stripped only when at least MIN_STEM characters stay,
// so "Zählern" becomes "zähler" and not "zähl" (which would find "Zahlung").
const SUFFIXES = ['ern', 'ing', 'en', 'er', 'es', 'em', 'ed', 'e', 's', 'n'];
const MIN_STEM = 5;
/** Words shorter than this match whole words only: a one- or two-letter prefix finds almost everything. */
const MIN_PREFIX = 3;

export function parseSearchText(text: string, field: string): SearchText {
  const raw = text.trim();
  if (raw.length > MAX_QUERY_CHARS) throw new BadRequest(field, `at most ${MAX_QUERY_CHARS} characters`, 'query_too_long');
  const seen = new Set<string>();
  const terms: QueryTerm[] = [];
  for (const m of raw.normalize('NFC').toLowerCase().matchAll(WORD)) {
    const term = toTerm([...m[0]].slice(0, MAX_TERM_CHARS).join(''));
    const k = `${term.word}${term.prefix ? '*' : ''}`;
    if (seen.has(k)) continue;
    seen.add(k);
    terms.push(term);
    if (terms.length > MAX_QUERY_TERMS) throw new BadRequest(field, `at most ${MAX_QUERY_TERMS} different words`, 'too_many_query_terms');
  }
  const single = terms.length === 1 && /^\d{1,10}$/.test(terms[0]!.word) ? Number(terms[0]!.word) : null;
  return { raw, terms, ticketId: single !== null && single <= 2147483647 ? single : null };
}

function toTerm(word: string): QueryTerm {
  if (/^\d+$/.test(word)) return { word, prefix: false };
  if ([...word].length < MIN_PREFIX) return { word, prefix: false };
  if (/\d/.test(word)) return { word, prefix: true };
  for (const s of SUFFIXES) {
    if (word.endsWith(s) && [...word].length - s.length >= MIN_STEM) return { word: word.slice(0, -s.length), prefix: true };
  }
  return { word, prefix: true };
}

/** Score of a ticket that the text names by id, contract or customer number: above any text match. */
const ID_MATCH_SCORE = 1000;

/**
 * `from` narrowed to the tickets the text matches, unscored: each word's tickets intersected, plus
 * the tickets the text names by id. For a search ordered by a ticket field, so the database can
 * stop at the page: no ranking and no grouping of every match (docs/SCALE.md).
 * - SQLite: `t.id in (…)` over FTS5, whose rowids carry the ticket id. At a million conversations
 *   this turned `q=<surname> + status` from a scan per ticket (tens of seconds) into one pass.
 * - PostgreSQL: a join with the matching ticket ids from search_postings (migration 013), each
 *   once and, when the search is ordered by ticket id (`byId`), in that order, so that the page
 *   and the capped count read tickets only until they are full.
 */
export function onlyMatching<QB extends SelectQueryBuilder<any, any, object>>(from: QB, kind: DbKind, text: SearchText, byId?: 'asc' | 'desc'): QB {
  if (kind === 'sqlite') {
    const words = text.terms.map((term) => sql`select ticket_id from (${sqliteHits(term, false)}) w`);
    const byWords = words.length === 0 ? sql`select 0 as ticket_id where 1 = 0` : sql.join(words, sql` intersect `);
    // union all: `in (…)` needs no duplicate-free list, and sorting one away cost a pass over the matches.
    return from.where('t.id', 'in', sql<{ ticket_id: number }>`(select ticket_id from (${byWords}) words union all ${namedTickets(text)})`) as QB;
  }
  const words = text.terms.map((term) => sql`(select ticket_id from search_postings where ${postingsOf(term)})`);
  const byWords = words.length === 0 ? sql`(select 0 as ticket_id where 1 = 0)` : sql.join(words, sql` intersect `);
  const order = byId === undefined ? sql`` : sql` order by ticket_id ${sql.raw(byId)}`;
  // Each ticket once, since it is joined, not tested with `in` (a prefix spans several words of
  // one ticket): grouped after the sort the order needs anyway, which streams, where a `union`
  // hashed every match first (Kündigung, 29,642 tickets: 21 ms, of which the hash took 10).
  const ids = sql<{ ticket_id: number }>`(select ticket_id from (${byWords} union all ${namedTickets(text)}) matched group by ticket_id${order})`;
  return from.innerJoin(ids.as('m'), 'm.ticket_id', 't.id') as QB;
}

// A word's postings: one lexeme, or (a prefix) every lexeme from the word up to the word followed by
// the last code point, a byte range of the C-collated index. Folded as the index side folds.
function postingsOf(term: QueryTerm) {
  const word = sql`(tm_search_fold(${term.word}) collate "C")`;
  return term.prefix ? sql`lexeme >= ${word} and lexeme < ${word} || chr(1114111)` : sql`lexeme = ${word}`;
}

/**
 * `(ticket_id, relevance)` of every ticket the text matches, for ordering by relevance: higher is
 * a better match on both databases (SQLite: -bm25, PostgreSQL: ts_rank; the best row of the
 * ticket per word, summed over the words). Ranking reads every match (a word in 60,000
 * messages: 270 ms of bm25), so only `orderByField: relevance` asks for it.
 * Deleted tickets are left to the caller's filter.
 */
export function fullTextMatches(kind: DbKind, text: SearchText): RawBuilder<{ ticket_id: number; relevance: number }> {
  const arms = text.terms.map((term) => {
    const hits = kind === 'sqlite' ? sqliteHits(term, true) : postgresHits(term);
    return sql`select ticket_id, max(score) as score from (${hits}) hits group by ticket_id`;
  });
  // Every word in the ticket: a ticket that each word's arm lists once is listed arms.length times.
  const byWords = arms.length === 0
    ? sql`select 0 as ticket_id, 0 as relevance where 1 = 0`
    : sql`select ticket_id, sum(score) as relevance from (${sql.join(arms, sql` union all `)}) words group by ticket_id having count(*) = ${sql.lit(arms.length)}`;
  const named = sql`select ticket_id, ${sql.lit(ID_MATCH_SCORE)} as relevance from (${namedTickets(text)}) named`;
  return sql`(select ticket_id, max(relevance) as relevance from (${byWords} union all ${named}) matched group by ticket_id)`;
}

/** Tickets the whole text names: contract or customer id, or (a single number) the ticket id. */
function namedTickets(text: SearchText) {
  return sql`select id as ticket_id from tickets
    where contract_id = ${text.raw} or customer_id = ${text.raw}${text.ticketId !== null ? sql` or id = ${text.ticketId}` : sql``}`;
}

/** `(ticket_id, score)` of every indexed row that holds the word (score 0 unless ranked). */
function sqliteHits(term: QueryTerm, ranked: boolean) {
  // A quoted FTS5 phrase; the word holds no quote (letters and digits only). The rowid carries the
  // ticket id in its upper 32 bits (migration 007); conversation id 0 is the ticket's own row,
  // whose hits (subject, summary) count double. `rank` is bm25 with weights title 2, body 1 (set
  // in the migration); a column, unlike a bm25() call, may sit under the aggregate.
  const match = `"${term.word}"${term.prefix ? '*' : ''}`;
  const score = ranked
    ? sql`case when rowid % 4294967296 = 0 then -2.0 else -1.0 end * rank`
    : sql`0`;
  return sql`select rowid >> 32 as ticket_id, ${score} as score from search_fts where search_fts match ${match}`;
}

/** `(ticket_id, score)` of every vector that holds the word (GIN, migration 007), ranked. */
function postgresHits(term: QueryTerm) {
  // quote_literal makes the word one tsquery lexeme whatever it holds; ':*' is the prefix match.
  const query = term.prefix
    ? sql`to_tsquery('simple', quote_literal(tm_search_fold(${term.word})) || ':*')`
    : sql`to_tsquery('simple', quote_literal(tm_search_fold(${term.word})))`;
  const score = (factor: number) => sql`${sql.lit(factor)} * ts_rank(s.tsv, q)`;
  return sql`select s.ticket_id, ${score(2)} as score from ticket_search s, ${query} q where s.tsv @@ q
    union all
    select s.ticket_id, ${score(1)} as score from conversation_search s, ${query} q where s.tsv @@ q`;
}
