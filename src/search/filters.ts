import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import { BadRequest } from '../errors.js';
import { lookup } from '../lookup.js';
import { nowSeconds } from '../time.js';
import { parseFilterDate } from './filterDates.js';
import { ilike, type DbKind } from '../db/dialect.js';

// Enneo's search filters (`{key, comparator, value|values|from|to}`) turned into SQL, for
// tickets (`t.` keys) and events (`e.` keys). Keys map to columns through a whitelist, so
// nothing a client sends reaches SQL as text.

export interface FilterInput {
  key: string;
  comparator?: string;
  value?: unknown;
  values?: unknown[];
  from?: unknown;
  to?: unknown;
}

export type FieldKind = 'int' | 'text' | 'date';

/** A comparator after aliases are resolved (`notIn` → `not in`). */
export type Comparator = '=' | '!=' | 'in' | 'not in' | '<' | '>' | '<=' | '>=' | 'between' | 'not between' | 'like';

export interface FieldSpec {
  column: string;
  kind: FieldKind;
  /** a value that means "no restriction" (Enneo sends channel "all") */
  wildcard?: string;
  /** values that are words rather than of the field's kind (`t.agentId` takes "unassigned"); passed on as given */
  words?: readonly string[];
  /** the comparators a custom key supports (default: all that fit its kind) */
  comparators?: readonly Comparator[];
  /** custom condition for keys that live in another table or need more than one column */
  custom?: (eb: ExpressionBuilder<any, any>, comparator: Comparator, values: (string | number)[]) => Expression<SqlBool>;
}

/** The most filter values one search may carry, over all its filters (each becomes a bound parameter). */
export const MAX_FILTER_VALUES = 500;

// Enneo's comparators, and ours kept as aliases (`notIn` for `not in`; `like` is ours alone).
const ALIASES: Record<string, Comparator> = {
  '=': '=', '!=': '!=', '<>': '!=', in: 'in', 'not in': 'not in', notin: 'not in', '<': '<', '>': '>', '<=': '<=', '>=': '>=',
  between: 'between', 'not between': 'not between', notbetween: 'not between', like: 'like',
};
export const COMPARATORS = ['=', '!=', 'in', 'not in', 'notIn', '<', '>', '<=', '>=', 'between', 'not between', 'like'] as const;

function coerce(spec: FieldSpec, v: unknown, field: string, now: number): string | number {
  if (spec.words && typeof v === 'string' && spec.words.includes(v)) return v;
  if (spec.kind === 'date') return parseFilterDate(v, field, now);
  if (spec.kind === 'int') {
    const n = typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
      const words = spec.words ? ` or one of ${spec.words.map((w) => `"${w}"`).join(', ')}` : '';
      throw new BadRequest(field, `expected an integer${words}, got ${JSON.stringify(v)?.slice(0, 100)}`, 'invalid_filter_value');
    }
    return n;
  }
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  throw new BadRequest(field, `expected a string, got ${JSON.stringify(v)?.slice(0, 100)}`, 'invalid_filter_value');
}

export function resolveComparator(f: FilterInput, at: string): Comparator {
  const given = f.comparator ?? (f.values ? 'in' : '=');
  const comparator = lookup(ALIASES, given.trim().toLowerCase().replace(/ +/g, ' '));
  if (!comparator) throw new BadRequest(`${at}.comparator`, `unknown comparator "${given}"; use ${COMPARATORS.join(', ')}`, 'unknown_comparator');
  return comparator;
}

/** The raw values a filter carries for its comparator: [from, to], the `values` list, or the one value. */
function rawValues(f: FilterInput, comparator: Comparator, at: string): { raw: unknown[]; field: (j: number) => string } {
  if (comparator === 'between' || comparator === 'not between') {
    if (f.from === undefined || f.to === undefined) throw new BadRequest(at, `${comparator} needs from and to`, 'invalid_filter');
    return { raw: [f.from, f.to], field: (j) => `${at}.${j === 0 ? 'from' : 'to'}` };
  }
  if (comparator === 'in' || comparator === 'not in') {
    const raw = f.values ?? (f.value !== undefined ? [f.value] : []);
    if (raw.length === 0) throw new BadRequest(`${at}.values`, `${comparator} needs values`, 'invalid_filter');
    return { raw, field: (j) => (f.values ? `${at}.values[${j}]` : `${at}.value`) };
  }
  const v = f.value !== undefined ? f.value : f.values?.length === 1 ? f.values[0] : undefined;
  if (v === undefined) throw new BadRequest(`${at}.value`, `${comparator} needs a value`, 'invalid_filter');
  return { raw: [v], field: () => (f.value !== undefined ? `${at}.value` : `${at}.values[0]`) };
}

export interface FilterOptions {
  /** Unix seconds that CURRENT_DATE, CURRENT_TIME and "-7 DAY" count from */
  now?: number;
  /** keys the caller handles itself (ticket search: `q`); skipped here */
  skipKeys?: readonly string[];
}

export function buildFilterConditions(
  eb: ExpressionBuilder<any, any>,
  filters: FilterInput[],
  fields: Record<string, FieldSpec>,
  prefix: string,
  kind: DbKind,
  opts: FilterOptions = {},
): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  const now = opts.now ?? nowSeconds();
  let valueCount = 0;
  filters.forEach((f, i) => {
    const at = `filters[${i}]`;
    if (opts.skipKeys?.includes(f.key)) return;
    // The docs' generated example sends unprefixed keys ("channel"); accept them as `t.channel`.
    const spec = lookup(fields, f.key) ?? lookup(fields, `${prefix}${f.key}`);
    if (!spec) throw new BadRequest(`${at}.key`, `unknown filter key "${f.key}"; known: ${Object.keys(fields).join(', ')}`, 'unknown_filter_key');
    const comparator = resolveComparator(f, at);
    if (spec.comparators && !spec.comparators.includes(comparator)) {
      throw new BadRequest(`${at}.comparator`, `"${f.key}" takes ${spec.comparators.join(', ')}`, 'invalid_comparator');
    }
    const { raw, field } = rawValues(f, comparator, at);
    valueCount += raw.length;
    if (valueCount > MAX_FILTER_VALUES) {
      throw new BadRequest(`${at}.values`, `a search may carry at most ${MAX_FILTER_VALUES} filter values in all`, 'too_many_filter_values');
    }
    if (comparator === 'like' && spec.kind !== 'text') {
      throw new BadRequest(`${at}.comparator`, `like applies to text fields; "${f.key}" is a ${spec.kind === 'int' ? 'number' : 'date'}`, 'invalid_comparator');
    }
    if (spec.wildcard !== undefined && raw.some((v) => v === spec.wildcard)) return;
    const vals = raw.map((v, j) => coerce(spec, v, field(j), now));
    if (spec.custom) {
      out.push(spec.custom(eb, comparator, vals));
      return;
    }
    const col = eb.ref(spec.column);
    switch (comparator) {
      case 'in':
      case 'not in':
        out.push(eb(col, comparator, vals));
        break;
      case 'between':
        out.push(eb.and([eb(col, '>=', vals[0]!), eb(col, '<=', vals[1]!)]));
        break;
      case 'not between':
        out.push(eb.or([eb(col, '<', vals[0]!), eb(col, '>', vals[1]!)]));
        break;
      case 'like':
        out.push(likeEscaped(spec.column, `%${escapeLike(String(vals[0]))}%`, kind));
        break;
      default:
        out.push(eb(col, comparator, vals[0]!));
    }
  });
  return out;
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `col LIKE pattern ESCAPE '\'` in a form both dialects accept. */
export function likeEscaped(column: string, pattern: string, kind: DbKind) {
  return sql<SqlBool>`${sql.ref(column)} ${sql.raw(ilike(kind))} ${pattern} escape '\\'`;
}
